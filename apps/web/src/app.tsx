/** Routes. Each screen is a file in screens/; the layout frames them all. */
import type { ReactElement } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { Layout } from './components/layout'
import { useCan } from './lib/permissions'
import { useSession } from './lib/session'
import { CollectionForm } from './screens/collection-form'
import { CollectionReceipt } from './screens/collection-receipt'
import { CollectionsList } from './screens/collections'
import { Home } from './screens/home'
import { PaymentForm } from './screens/payment-form'
import { PaymentReceipt } from './screens/payment-receipt'
import { PaymentsList } from './screens/payments'
import { ProductDetail } from './screens/product-detail'
import { ProductsList } from './screens/products'
import { Reports } from './screens/reports'
import { RouteDetail } from './screens/route-detail'
import { RoutesList } from './screens/routes'
import { Settings } from './screens/settings'
import { SettlementNew } from './screens/settlement-new'
import { SettlementRun } from './screens/settlement-run'
import { SettlementsList } from './screens/settlements'
import { SignIn } from './screens/sign-in'
import { Statement } from './screens/statement'
import { SupplierDetail } from './screens/supplier-detail'
import { SupplierForm } from './screens/supplier-form'
import { SuppliersList } from './screens/suppliers'
import { SyncCenter } from './screens/sync-center/page'
import { Users } from './screens/users'

function NotAllowed() {
  const { t } = useTranslation()
  return (
    <section className="page">
      <h1>{t('ui.notAllowedTitle')}</h1>
      <p>{t('ui.notAllowed')}</p>
    </section>
  )
}

export function App() {
  const { user, ready } = useSession()
  const { can, reads, reports, users, settings, settles, routes } = useCan()
  const { t } = useTranslation()
  if (!ready) return <p className="loading">{t('common.loading')}</p>
  if (!user) return <SignIn />
  const guard = (allowed: boolean, element: ReactElement) => (allowed ? element : <NotAllowed />)
  return (
    <Layout>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/suppliers" element={guard(reads('supplier'), <SuppliersList />)} />
        <Route path="/suppliers/new" element={guard(can('supplier', 'create'), <SupplierForm />)} />
        <Route path="/suppliers/:id" element={guard(reads('supplier'), <SupplierDetail />)} />
        <Route path="/suppliers/:id/edit" element={guard(can('supplier', 'update'), <SupplierForm />)} />
        <Route path="/routes" element={guard(routes, <RoutesList />)} />
        <Route path="/routes/:id" element={guard(routes, <RouteDetail />)} />
        <Route path="/products" element={guard(reads('product'), <ProductsList />)} />
        <Route path="/products/:id" element={guard(reads('product'), <ProductDetail />)} />
        <Route path="/collections" element={guard(reads('collection'), <CollectionsList />)} />
        <Route path="/collections/new" element={guard(can('collection', 'create'), <CollectionForm />)} />
        <Route path="/collections/:id" element={guard(reads('collection'), <CollectionReceipt />)} />
        <Route path="/collections/:id/edit" element={guard(can('collection', 'update'), <CollectionForm />)} />
        <Route path="/payments" element={guard(reads('payment'), <PaymentsList />)} />
        <Route path="/payments/new" element={guard(can('payment', 'create'), <PaymentForm />)} />
        <Route path="/payments/:id" element={guard(reads('payment'), <PaymentReceipt />)} />
        <Route path="/settlements" element={guard(reads('settlement_run'), <SettlementsList />)} />
        <Route path="/settlements/new" element={guard(settles, <SettlementNew />)} />
        <Route path="/settlements/:id" element={guard(reads('settlement_run'), <SettlementRun />)} />
        <Route path="/statements/:lineId" element={guard(reads('settlement_line'), <Statement />)} />
        <Route path="/reports" element={guard(reports, <Reports />)} />
        <Route path="/sync" element={<SyncCenter />} />
        <Route path="/users" element={guard(users, <Users />)} />
        <Route path="/settings" element={guard(settings, <Settings />)} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Layout>
  )
}
