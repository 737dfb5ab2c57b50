/**
 * GET /api/notifications: the text-message outbox, newest first (admins, managers, finance: core's
 * canReadNotifications), filtered by status or supplier. What was sent to whom and when, what is
 * waiting and until when, what failed or was skipped and why.
 */
import { AppError, canReadNotifications } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import { errorSchema, notificationSchema, notificationsQuery, pageOf } from '../http/schemas'
import type { NotificationRow } from '../sms/outbox-store'

type Notification = z.output<typeof notificationSchema>

function toNotification(row: NotificationRow): Notification {
  const { lease_until: _lease, ...rest } = row
  return {
    ...rest,
    attempts: Number(row.attempts),
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
  } as Notification
}

export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.get(
    '/',
    {
      onRequest: app.requireAuth,
      schema: {
        tags: ['Notifications'],
        summary: 'Text messages to suppliers, newest first, by status or supplier (admins, managers, finance)',
        querystring: notificationsQuery,
        response: { 200: pageOf(notificationSchema), 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request) => {
      if (!canReadNotifications(request.actor.role)) {
        throw new AppError('FORBIDDEN', `A ${request.actor.role} may not read the text-message outbox`)
      }
      const { page, per_page, status, supplier_id } = request.query
      let query = app.db.selectFrom('notifications')
      if (status) query = query.where('status', '=', status)
      if (supplier_id) query = query.where('supplier_id', '=', supplier_id)
      const [rows, total] = await Promise.all([
        query
          .selectAll()
          .orderBy('id', 'desc')
          .limit(per_page)
          .offset((page - 1) * per_page)
          .execute(),
        query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { data: rows.map(toNotification), page, per_page, total: Number(total.n) }
    },
  )
}
