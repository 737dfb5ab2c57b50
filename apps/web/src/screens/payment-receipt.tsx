import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function PaymentReceipt() {
  return <Page title="PaymentReceipt">Coming soon.</Page>
}
