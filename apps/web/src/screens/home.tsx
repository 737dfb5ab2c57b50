import { Page } from '../components/ui'

/** TODO(web screens): placeholder until the screen lands. */
export function Home() {
  return <Page title="Home">Coming soon.</Page>
}
