/**
 * Saves a file the server makes (a payout or statement CSV): fetched with the session's token
 * (`client.download`, the API needs a bearer token, so a plain link cannot carry it), then handed
 * to the browser as a download, with the answer's headers (a payout file's totals). Online only: the
 * caller shows the error (offline: ApiError.offline).
 */
import type { SyncClient } from '@trackvault/client'

export async function saveDownload(
  client: SyncClient,
  path: string,
  fallbackName: string,
): Promise<{ name: string; headers: Headers }> {
  const { blob, filename, headers } = await client.download(path)
  const name = filename ?? fallbackName
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  // Let the browser start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return { name, headers }
}
