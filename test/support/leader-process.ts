// A process that campaigns for the `integrations` role and says what happens on stdout
// ("elected", "deposed"): for tests that pause or kill a leader (SIGSTOP, SIGKILL).
//   node --import tsx test/support/leader-process.ts <postgres url> <checkMs>
import { createPgLeadership } from '../../src/adapters/storage/postgres/pg-leadership.ts';

const [url, checkMs] = process.argv.slice(2);
if (!url || !checkMs) throw new Error('usage: leader-process.ts <postgres url> <checkMs>');
const leadership = createPgLeadership(url, { checkMs: Number(checkMs), onError: (_role, error) => console.log(`error ${error.message}`) });
const campaign = leadership.campaign('integrations', {
  onElected: () => console.log('elected'),
  onDeposed: () => console.log('deposed'),
});
process.on('SIGTERM', () => void campaign.stop().then(() => process.exit(0)));
