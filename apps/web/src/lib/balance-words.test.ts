import { describe, expect, it } from 'vitest'
import { i18next } from '../i18n'
import { balanceAmount, balanceText, balanceWords } from './balance-words'

describe('balance words', () => {
  it('words a positive balance as owed to the supplier', () => {
    expect(balanceText('1200.00')).toBe('Owed to supplier: 1,200.00')
    expect(balanceAmount('1200.00')).toBe('1,200.00')
    expect(balanceWords('1200.00')).toEqual({ label: 'Owed to supplier', amount: '1,200.00', credit: false })
  })

  it('words a negative balance as in credit, without a minus sign', () => {
    expect(balanceText('-300.00')).toBe('In credit: 300.00')
    expect(balanceAmount('-1234567.89')).toBe('In credit: 1,234,567.89')
    expect(balanceWords('-0.01').credit).toBe(true)
    expect(balanceText('-300.00')).not.toContain('-')
  })

  it('words zero (even a signed zero) as nothing owed, not credit', () => {
    expect(balanceText('0.00')).toBe('Owed to supplier: 0.00')
    expect(balanceText('-0.00')).toBe('Owed to supplier: 0.00')
    expect(balanceAmount('0.00')).toBe('0.00')
  })

  it('shows a dash for an unknown balance', () => {
    expect(balanceText(undefined)).toBe('—')
    expect(balanceAmount(null)).toBe('—')
  })

  it('words a balance in the language the person chose', async () => {
    await i18next.changeLanguage('sw')
    try {
      expect(balanceText('-300.00')).toBe('Amelipwa mbele: 300.00')
      expect(balanceText('1200.00')).toBe('Deni kwa msambazaji: 1,200.00')
      expect(balanceAmount('-300.00')).toBe('Amelipwa mbele: 300.00')
    } finally {
      await i18next.changeLanguage('en')
    }
    expect(balanceText('-300.00')).toBe('In credit: 300.00')
  })
})
