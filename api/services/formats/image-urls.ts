/**
 * Image URLs in chat requests. Those the hub only hands on (to providers that fetch them from their
 * own network) are checked as strings; those the hub must fetch itself (for providers whose SDKs
 * would otherwise download them) are fetched through public-fetch.ts, once per request whatever the
 * number of attempts. Either failure is the caller's: a 400 that names the image by its position,
 * never its URL, and costs no credential anything.
 */
import { BadRequestError } from '../../errors.js';
import { fetchPublic, FetchRefusedError, type PublicFetchOptions } from '../../lib/public-fetch.js';
import { publicUrlProblem } from '../../lib/public-url.js';

const refused = (n: number, problem: string) => new BadRequestError(`Image ${n} ${problem}`, { code: 'invalid_image_url' });

/** 400 when a request names an image no one should fetch (private network, other schemes). */
export async function assertFetchableImageUrls(urls: string[], allowHosts: readonly string[] = []): Promise<void> {
  const problems = await Promise.all(urls.map((url) => publicUrlProblem(url, allowHosts)));
  const i = problems.findIndex((p) => p !== null);
  if (i >= 0) throw refused(i + 1, problems[i]!);
}

export interface FetchedImage {
  /** Base64. */
  data: string;
  mimeType?: string;
}

/** Downloads an image the hub must send as bytes; the same URL is downloaded once per request. */
export type ImageFetcher = (url: string) => Promise<FetchedImage>;

export function createImageFetcher(options: Omit<PublicFetchOptions, 'signal'>, signal?: AbortSignal): ImageFetcher {
  const fetched = new Map<string, Promise<FetchedImage>>();
  let count = 0;
  return (url) => {
    let image = fetched.get(url);
    if (!image) {
      const n = ++count;
      image = fetchPublic(url, { ...options, signal }).then(
        (f) => ({ data: f.data.toString('base64'), mimeType: f.mimeType?.startsWith('image/') ? f.mimeType : undefined }),
        (err: unknown) => {
          throw refused(n, err instanceof FetchRefusedError ? err.message : 'could not be downloaded');
        },
      );
      // A failure is reported by the call that asked; the next attempt asks again and gets the same answer.
      image.catch(() => {});
      fetched.set(url, image);
    }
    return image;
  };
}
