import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function SupplierDetail() {
  return <Page title="SupplierDetail">Coming soon.</Page>
}
