/**
 * English words a Chinese page still shows: in its text, and in the labels a screen reader or a
 * tooltip reads (placeholder, aria-label, title, alt). Identifiers are data, not words: tokens
 * with digits, `-`, `_`, `/`, `.` or `:` inside (model ids, keys, DIDs, URLs), text in `<code>`,
 * and text marked with another `lang` (the language menu names each language in itself).
 */
import type { Page } from 'playwright-core';

/** Product and provider names, and abbreviations that Chinese interfaces write in Latin letters. */
const NAMES = [
  'AIGNE', 'Hub', 'OpenAI', 'Anthropic', 'Google', 'Gemini', 'DeepSeek', 'xAI', 'OpenRouter', 'Ollama', 'AWS',
  'Amazon', 'Bedrock', 'Doubao', 'Volcengine', 'Ark', 'Poe', 'Ideogram', 'Blocklet', 'Server', 'API', 'DID', 'ID', 'CSV', 'URL', 'http', 'https',
];

export async function englishWordsOnPage(page: Page, data: string[] = []): Promise<string[]> {
  return page.evaluate(
    ({ names, data }) => {
      const allowed = new Set([...names, ...data]);
      const found = new Set<string>();
      const foreign = (el: Element | null) => {
        const lang = el?.closest('[lang]')?.getAttribute('lang') ?? '';
        return !/^zh/i.test(lang) || Boolean(el?.closest('code, script, style'));
      };
      const scan = (text: string, where: string) => {
        for (const raw of text.split(/[\s，。：；！？（）、《》「」·…|]+/)) {
          const token = raw.replace(/^[("'“‘[{<]+|[)"'”’\]}>.,;:!?%*]+$/g, '');
          if (/^[A-Za-z]{2,}$/.test(token) && !allowed.has(token)) found.add(`${token} (${where})`);
        }
      };
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!foreign(parent)) scan(node.textContent ?? '', parent?.tagName.toLowerCase() ?? 'text');
      }
      for (const el of Array.from(document.querySelectorAll('[placeholder], [aria-label], [title], [alt]'))) {
        if (foreign(el)) continue;
        for (const attr of ['placeholder', 'aria-label', 'title', 'alt']) {
          const value = el.getAttribute(attr);
          if (value) scan(value, `@${attr}`);
        }
      }
      scan(document.title, 'title');
      return [...found].sort();
    },
    { names: NAMES, data },
  );
}
