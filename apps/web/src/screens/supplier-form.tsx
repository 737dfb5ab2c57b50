import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function SupplierForm() {
  return <Page title="SupplierForm">Coming soon.</Page>
}
