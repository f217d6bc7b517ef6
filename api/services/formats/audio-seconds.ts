/**
 * Seconds of an uploaded audio file, for the credit reservation and for charging when the upstream
 * reports none: exact for PCM WAV (from its header), else estimated from the size at 128 kbit/s.
 * (music-metadata, which would read every container, needs Node 22.)
 */
export function audioSeconds(data: Buffer): { seconds: number; estimated: boolean } {
  if (data.length >= 44 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WAVE') {
    // Chunks after the 12-byte header: `fmt ` gives the byte rate, `data` the length.
    let at = 12;
    let byteRate = 0;
    while (at + 8 <= data.length) {
      const id = data.toString('latin1', at, at + 4);
      const size = data.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 16 <= data.length) byteRate = data.readUInt32LE(at + 16);
      if (id === 'data' && byteRate > 0) return { seconds: Math.round((Math.min(size, data.length - at - 8) / byteRate) * 1000) / 1000, estimated: false };
      at += 8 + size + (size % 2);
    }
  }
  return { seconds: Math.round((data.length / 16_000) * 1000) / 1000, estimated: true };
}
