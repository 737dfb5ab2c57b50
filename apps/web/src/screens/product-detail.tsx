import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function ProductDetail() {
  return <Page title="ProductDetail">Coming soon.</Page>
}
