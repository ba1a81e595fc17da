/** The `data` of a benchmark event: a document.summarized payload of about 1 KB. */
import type { JsonObject } from "@bufbuild/protobuf";

const SUMMARY =
  "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months to December, from $639m year-earlier. " +
  "The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet connections and higher advert sales. " +
  "TimeWarner said fourth quarter sales rose 2% to $11.1bn from $10.9bn. Its profits were buoyed by one-off gains which offset a profit dip at Warner Bros. " +
  "Time Warner's fourth quarter profits were slightly better than analysts' expectations. But its film division saw profits slump 27% to $284m. " +
  "For the full-year, TimeWarner posted a profit of $3.36bn, up 27% from its 2003 performance, while revenues grew 6.4% to $42.09bn. " +
  "It lost 464,000 subscribers in the fourth quarter.";

export function eventData(index: number, extra: JsonObject = {}): JsonObject {
  return {
    documentId: `bench-${index}`,
    algorithm: "ALGORITHM_LEAD",
    language: "en",
    inputWords: 412,
    outputWords: 58,
    summary: SUMMARY,
    ...extra,
  };
}
