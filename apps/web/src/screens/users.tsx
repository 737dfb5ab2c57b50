import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function Users() {
  return <Page title="Users">Coming soon.</Page>
}
