// A notice's title is its subject followed by the notice's words. A subject that already ends with
// the procedure's word ("台式计算机网上竞价") must not say it twice ("…网上竞价网上竞价公告").
/** The procedure words a subject may end with and a notice's words may begin with (longest first). */
export const PROCEDURE_WORDS = ['单一来源采购', '竞争性谈判', '竞争性磋商', '网上竞价', '公开招标', '单一来源', '询价', '招标', '采购'] as const;

/** '台式计算机网上竞价' + '网上竞价公告（JJ-1）' → '台式计算机网上竞价公告（JJ-1）'; `sep` goes between when nothing overlaps. */
export function noticeTitleZh(subject: string, words: string, sep = ''): string {
  const s = subject.trim();
  const w = words.trim();
  for (const word of PROCEDURE_WORDS) if (s.endsWith(word) && w.startsWith(word)) return s + w.slice(word.length);
  return `${s}${sep}${w}`;
}

/** A stored title with a procedure word said twice, said once ('…网上竞价网上竞价公告' → '…网上竞价公告'). */
export function undoubledTitleZh(title: string): string {
  let out = title;
  for (const word of PROCEDURE_WORDS) out = out.split(`${word}${word}`).join(word).split(`${word} ${word}`).join(word);
  return out;
}
