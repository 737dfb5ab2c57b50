import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function CollectionForm() {
  return <Page title="CollectionForm">Coming soon.</Page>
}
