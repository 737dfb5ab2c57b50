import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function SuppliersList() {
  return <Page title="SuppliersList">Coming soon.</Page>
}
