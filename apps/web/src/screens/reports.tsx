import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function Reports() {
  return <Page title="Reports">Coming soon.</Page>
}
