import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function PaymentForm() {
  return <Page title="PaymentForm">Coming soon.</Page>
}
