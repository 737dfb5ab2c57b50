import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function CollectionReceipt() {
  return <Page title="CollectionReceipt">Coming soon.</Page>
}
