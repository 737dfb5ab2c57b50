import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function SyncCenter() {
  return <Page title="SyncCenter">Coming soon.</Page>
}
