/** The SMS provider the environment names (TRACKVAULT_SMS_PROVIDER), with its credentials. */
import type { Config } from '../config'
import { africasTalking } from './africastalking'
import type { SmsProvider } from './provider'
import { twilio } from './twilio'

/** The provider the environment names, or undefined when SMS is off. */
export function providerFromConfig(config: Config): SmsProvider | undefined {
  const base = config.TRACKVAULT_SMS_BASE_URL?.replace(/\/+$/, '')
  switch (config.TRACKVAULT_SMS_PROVIDER) {
    case 'off':
      return undefined
    case 'africastalking':
      return africasTalking({
        username: config.TRACKVAULT_AFRICASTALKING_USERNAME as string,
        apiKey: config.TRACKVAULT_AFRICASTALKING_API_KEY as string,
        from: config.TRACKVAULT_SMS_FROM,
        baseUrl: base,
      })
    case 'twilio':
      return twilio({
        accountSid: config.TRACKVAULT_TWILIO_ACCOUNT_SID as string,
        authToken: config.TRACKVAULT_TWILIO_AUTH_TOKEN as string,
        from: config.TRACKVAULT_SMS_FROM,
        messagingServiceSid: config.TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID,
        baseUrl: base,
      })
  }
}
