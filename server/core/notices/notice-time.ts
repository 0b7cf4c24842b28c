// Times inside published text (notices, messages to experts) as their readers read them:
// Beijing time (Asia/Shanghai, UTC+8, no daylight saving) in the text's language, never UTC text.
const CST_MS = 8 * 3600_000;

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '2026年12月7日 03:18（北京时间）' / '7 Dec 2026, 03:18 (Beijing time)'; seconds when asked. */
export function noticeTime(d: Date, lang: 'zh' | 'en', opts: { seconds?: boolean; zone?: boolean } = {}): string {
  const b = new Date(d.getTime() + CST_MS);
  const clock = `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}${opts.seconds ? `:${pad(b.getUTCSeconds())}` : ''}`;
  const zone = opts.zone === false ? '' : lang === 'zh' ? '（北京时间）' : ' (Beijing time)';
  return lang === 'zh'
    ? `${b.getUTCFullYear()}年${b.getUTCMonth() + 1}月${b.getUTCDate()}日 ${clock}${zone}`
    : `${b.getUTCDate()} ${MONTHS_EN[b.getUTCMonth()]} ${b.getUTCFullYear()}, ${clock}${zone}`;
}

/** A date alone, as Beijing reads it: '2026年12月7日' / '7 Dec 2026'. */
export function noticeDate(d: Date, lang: 'zh' | 'en'): string {
  const b = new Date(d.getTime() + CST_MS);
  return lang === 'zh' ? `${b.getUTCFullYear()}年${b.getUTCMonth() + 1}月${b.getUTCDate()}日` : `${b.getUTCDate()} ${MONTHS_EN[b.getUTCMonth()]} ${b.getUTCFullYear()}`;
}
