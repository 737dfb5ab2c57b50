import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function ProductsList() {
  return <Page title="ProductsList">Coming soon.</Page>
}
