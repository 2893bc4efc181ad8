import type { ModelContext } from './context.js'
import { FIRST_PERSON_ID, lastBase0PersonId } from './ids.js'
import { US_CITIES, US_STATES } from './text.js'
import type { Person } from './types.js'

/** The person of a person event: the next person id, a random name, address and card (as the reference's `PersonGenerator`). */
export function nextPerson(eventId: number, dateTime: number, context: ModelContext): Person {
  const { random, text } = context
  const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID
  const first = random.below(text.firstNameCount)
  const name = text.personNames[first * text.lastNameCount + random.below(text.lastNameCount)] as string
  const emailAddress = `${text.nextString(random, 7)}@${text.nextString(random, 5)}.com`
  const groups = text.creditCardGroups
  const creditCard = `${groups[random.below(10_000)]} ${groups[random.below(10_000)]} ${groups[random.below(10_000)]} ${groups[random.below(10_000)]}`
  const city = US_CITIES[random.below(US_CITIES.length)] as string
  const state = US_STATES[random.below(US_STATES.length)] as string
  const currentSize = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length
  const extra = text.nextExtra(random, currentSize, context.config.averagePersonBytes)
  return { id, name, emailAddress, creditCard, city, state, dateTime, extra }
}
