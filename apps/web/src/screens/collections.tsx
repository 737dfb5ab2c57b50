import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function CollectionsList() {
  return <Page title="CollectionsList">Coming soon.</Page>
}
