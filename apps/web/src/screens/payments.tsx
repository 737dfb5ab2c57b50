import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function PaymentsList() {
  return <Page title="PaymentsList">Coming soon.</Page>
}
