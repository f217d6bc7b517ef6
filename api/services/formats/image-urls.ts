import { BadRequestError } from '../../errors.js';
import { publicUrlProblem } from '../../lib/public-url.js';

/** 400 when a request asks for an image the hub must not fetch (private network, other schemes). */
export async function assertFetchableImageUrls(urls: string[]): Promise<void> {
  for (const url of urls.slice(0, 32)) {
    const problem = await publicUrlProblem(url);
    if (problem) throw new BadRequestError(`Image URL ${problem}: ${url.slice(0, 200)}`, { code: 'invalid_image_url' });
  }
}
