/**
 * SummarizeService through real clients on both ports: every HTTP protocol
 * and a plain @grpc/grpc-js client, with a real SQLite event log.
 */
import { readFileSync } from "node:fs";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Algorithm,
  SummarizeRequestSchema,
  SummarizeService,
  type SummarizeResponse,
  type SummarizeStreamResponse,
} from "../../../gen/sum/v1/summarize_pb.js";
import { languageSamples, sampleLanguages } from "../../../bench/concepts/language-samples.js";
import { productServices } from "../../../src/main.js";
import { stopWords } from "../../../src/summarize/stop-words.js";
import { bufCurl } from "../../support/buf-curl.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { httpProtocols, startTestServer, type TestServer } from "../../support/test-server.js";

const articles = JSON.parse(readFileSync(new URL("../../../../shared/data/summarization/bbc100.json", import.meta.url), "utf8")) as {
  src: string;
}[];
const article = articles[0]!.src;
/** Long enough for several chunks and for the worker pool (over 64 Ki characters). */
const longDocument = articles.map((entry) => entry.src).join("\n\n");
const MAX_BYTES = 400_000;

let sum: TestServer;
let grpc: GrpcJsClient;

beforeAll(async () => {
  sum = await startTestServer({
    env: { SUMMARIZE_MAX_BYTES: String(MAX_BYTES), SUMMARIZE_WORKERS: "1" },
    services: productServices,
  });
  grpc = new GrpcJsClient(sum.grpcAddress);
});

afterAll(async () => {
  grpc?.close();
  await sum?.stop();
});

const codePoints = (text: string) => [...text];

function expectWellFormed(response: SummarizeResponse, input: string): void {
  expect(response.summary.length).toBeGreaterThan(0);
  expect(response.detailed.length).toBeGreaterThanOrEqual(response.summary.length);
  expect(response.summary).toContain(response.gist);
  expect(response.tags.length).toBeGreaterThan(0);
  expect(response.tags[0]!.score).toBe(1);
  const stats = response.stats!;
  expect(stats.algorithm).not.toBe(Algorithm.UNSPECIFIED);
  expect(stats.inputWords).toBeGreaterThan(stats.outputWords);
  expect(stats.compressionRatio).toBeCloseTo(stats.outputWords / stats.inputWords, 6);
  for (const sentence of response.sentences) {
    expect(codePoints(input).slice(sentence.start, sentence.end).join("")).toBe(sentence.text);
  }
}

describe("Summarize", () => {
  it.each(httpProtocols)("summarizes over %s with offsets, gist, tags and stats", async (protocol) => {
    const response = await sum.client(SummarizeService, protocol).summarize({ text: article, includeSentences: true });
    expectWellFormed(response, article);
    expect(response.stats!.language).toBe("en");
    expect(response.documentId).toMatch(/^[0-9a-f-]{36}$/);
    const inSummary = response.sentences.filter((sentence) => sentence.inSummary);
    expect(inSummary.map((sentence) => sentence.text.replace(/\s+/g, " ").trim()).join(" ")).toBe(response.summary);
  });

  it("summarizes through a plain grpc-js client on the native port, the same as over HTTP", async () => {
    const request = { text: article, documentId: "doc-1", includeSentences: true };
    const { response } = await grpc.unary(SummarizeService.method.summarize, request);
    expectWellFormed(response, article);
    expect(response.documentId).toBe("doc-1");
    const overHttp = await sum.client(SummarizeService, "connect-binary-h2c").summarize(request);
    expect(overHttp.summary).toBe(response.summary);
    expect(overHttp.tags).toEqual(response.tags);
  });

  it("is deterministic", async () => {
    const client = sum.client(SummarizeService, "connect-json-http1");
    const [first, second] = await Promise.all([client.summarize({ text: longDocument.slice(0, 20_000) }), client.summarize({ text: longDocument.slice(0, 20_000) })]);
    expect(second.summary).toBe(first.summary);
    expect(second.detailed).toBe(first.detailed);
    expect(second.tags).toEqual(first.tags);
  });

  it("honours each length option", async () => {
    const client = sum.client(SummarizeService, "connect-binary-h2c");
    const bySentences = await client.summarize({ text: article, maxSentences: 2, includeSentences: true });
    expect(bySentences.sentences.filter((sentence) => sentence.inSummary)).toHaveLength(2);
    const byWords = await client.summarize({ text: article, maxWords: 30 });
    expect(byWords.stats!.outputWords).toBeLessThanOrEqual(30);
    expect(byWords.stats!.outputWords).toBeGreaterThan(0);
    const byRatio = await client.summarize({ text: article, ratio: 0.1 });
    expect(byRatio.stats!.outputWords).toBeLessThanOrEqual(Math.floor(0.1 * byRatio.stats!.inputWords));
  });

  it("runs the algorithm asked for and reports it", async () => {
    const client = sum.client(SummarizeService, "connect-json-http1");
    for (const algorithm of [Algorithm.LEAD, Algorithm.TEXTRANK, Algorithm.FREQUENCY, Algorithm.LEXRANK, Algorithm.KLSUM, Algorithm.POSITION_LEXRANK, Algorithm.DEGREE_CENTRALITY]) {
      const response = await client.summarize({ text: article, algorithm });
      expect(response.stats!.algorithm).toBe(algorithm);
      expect(response.summary.length).toBeGreaterThan(0);
    }
  });

  it("detects the language, or uses the one given", async () => {
    const german =
      "Die Stadtverwaltung hat am Montag einen neuen Plan für den öffentlichen Nahverkehr vorgestellt. " +
      "Busse sollen künftig alle zehn Minuten fahren, auch am Wochenende. " +
      "Die Kosten des Projekts werden auf zwölf Millionen Euro geschätzt. " +
      "Kritiker bemängeln, dass die Randbezirke zu wenig berücksichtigt werden.";
    const client = sum.client(SummarizeService, "connect-json-http1");
    expect((await client.summarize({ text: german })).stats!.language).toBe("de");
    expect((await client.summarize({ text: german, language: "fr" })).stats!.language).toBe("fr");
  });

  it.each(sampleLanguages)("detects and summarizes %s text, with tags that are not stop words", async (language) => {
    const text = languageSamples
      .filter((sample) => sample.language === language)
      .map((sample) => sample.text)
      .join(" ");
    const response = await sum.client(SummarizeService, "connect-binary-h2c").summarize({ text, maxSentences: 1 });
    expect(response.stats!.language).toBe(language);
    expect(response.summary.length).toBeGreaterThan(0);
    expect(text).toContain(response.summary);
    expect(response.tags.length).toBeGreaterThan(0);
    const stop = stopWords(language);
    for (const tag of response.tags) expect(stop.has(tag.phrase.toLowerCase()), `${language} tag "${tag.phrase}"`).toBe(false);
  });

  it("returns a very short text as it is, with tags", async () => {
    const text = "Quantum computers use qubits to solve certain problems faster than classical machines.";
    const response = await sum.client(SummarizeService, "connect-json-http1").summarize({ text });
    expect(response.summary).toBe(text);
    expect(response.gist).toBe(text);
    expect(response.tags.map((tag) => tag.phrase.toLowerCase()).join(" ")).toMatch(/quantum|qubits/);
  });

  it("measures offsets in code points after characters outside the BMP", async () => {
    const text = "🚀 Launch day arrived for the new rocket after years of careful testing. 🎉 The crowd cheered as it rose into a clear sky above the coast.";
    const response = await sum.client(SummarizeService, "connect-json-http1").summarize({ text, includeSentences: true, maxSentences: 1 });
    expect(response.sentences.length).toBeGreaterThan(0);
    for (const sentence of response.sentences) expect(codePoints(text).slice(sentence.start, sentence.end).join("")).toBe(sentence.text);
  });

  it("publishes document.summarized with the summary", async () => {
    const before = await sum.server.events.latestSequence();
    const response = await sum.client(SummarizeService, "connect-json-http1").summarize({ text: article, documentId: "event-check" });
    const events = await sum.server.events.readAfter(before, 10, ["document.summarized"]);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      documentId: "event-check",
      algorithm: `ALGORITHM_${Algorithm[response.stats!.algorithm]}`,
      inputWords: response.stats!.inputWords,
      outputWords: response.stats!.outputWords,
      summary: response.summary,
    });
  });
});

describe("buf curl with reflection, no .proto files", () => {
  it.each(["http", "grpc"] as const)("calls Summarize on the %s port", async (port) => {
    const address = port === "http" ? sum.httpUrl : `http://${sum.grpcAddress}`;
    const result = await bufCurl([
      "--http2-prior-knowledge",
      "--protocol",
      "grpc",
      "-d",
      JSON.stringify({ text: article, maxSentences: 2, algorithm: "ALGORITHM_LEAD" }),
      `${address}/sum.v1.SummarizeService/Summarize`,
    ]);
    expect(result.stderr).toBe("");
    const response = JSON.parse(result.stdout) as { summary: string; stats: { algorithm: string; language: string } };
    expect(response.stats).toMatchObject({ algorithm: "ALGORITHM_LEAD", language: "en" });
    expect(article.replace(/\s+/g, " ")).toContain(response.summary);
  });
});

describe("bad input", () => {
  const cases: [string, Record<string, unknown>, Code, RegExp][] = [
    ["empty text", { text: "" }, Code.InvalidArgument, /^text: must not be empty/],
    ["whitespace-only text", { text: " \n\t " }, Code.InvalidArgument, /^text: must not be empty/],
    ["binary data", { text: "PK\u0003\u0004\u0000\u0000binary" }, Code.InvalidArgument, /^text: .*binary data/],
    ["two length options", { text: article, maxSentences: 2, ratio: 0.5 }, Code.InvalidArgument, /^max_sentences, ratio: set at most one/],
    ["max_sentences of 0", { text: article, maxSentences: 0 }, Code.InvalidArgument, /^max_sentences: must be between 1 and 1000, got 0/],
    ["ratio above 1", { text: article, ratio: 1.5 }, Code.InvalidArgument, /^ratio: must be greater than 0 and at most 1/],
    ["unknown language", { text: article, language: "xx" }, Code.InvalidArgument, /^language: "xx" is not a supported ISO 639-1 code/],
    ["long document_id", { text: article, documentId: "d".repeat(129) }, Code.InvalidArgument, /^document_id: at most 128 characters/],
    ["unknown algorithm", { text: article, algorithm: 42 }, Code.InvalidArgument, /^algorithm: unknown value 42/],
    ["text over the limit", { text: "word ".repeat(MAX_BYTES / 5 + 1) }, Code.ResourceExhausted, /over the limit of 400000 bytes \(SUMMARIZE_MAX_BYTES\)/],
  ];

  it.each(cases)("%s → %s on the HTTP port", async (_name, request, code, message) => {
    const error = await sum
      .client(SummarizeService, "connect-binary-h2c")
      .summarize(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(code);
    expect((error as ConnectError).rawMessage).toMatch(message);
  });

  it.each(cases)("%s → the same on the native gRPC port", async (_name, request, code, message) => {
    const error = (await grpc.unary(SummarizeService.method.summarize, request).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(code as number as GrpcStatus);
    expect(error.details).toMatch(message);
  });

  it("invalid UTF-8 in the text is INVALID_ARGUMENT on both ports", async () => {
    const valid = toBinary(SummarizeRequestSchema, create(SummarizeRequestSchema, { text: "abc" }));
    const broken = Buffer.from(valid);
    broken[broken.length - 1] = 0xff; // last byte of the string field
    const native = (await grpc.unaryRaw("/sum.v1.SummarizeService/Summarize", broken).catch((e: unknown) => e)) as ServiceError;
    expect(native.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const overHttp = await fetch(`${sum.httpUrl}/sum.v1.SummarizeService/Summarize`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: broken,
    });
    expect(overHttp.status).toBe(400);
    expect(((await overHttp.json()) as { code: string }).code).toBe("invalid_argument");
  });

  it("keeps serving after bad input and stores no event for it", async () => {
    const before = await sum.server.events.latestSequence();
    await sum.client(SummarizeService, "connect-json-http1").summarize({ text: "" }).catch(() => undefined);
    expect(await sum.server.events.readAfter(before, 10)).toHaveLength(0);
    const response = await sum.client(SummarizeService, "connect-json-http1").summarize({ text: article });
    expect(response.summary.length).toBeGreaterThan(0);
  });
});

describe("SummarizeStream", () => {
  it("reports progress over several chunks, then the result", async () => {
    const messages: SummarizeStreamResponse[] = [];
    for await (const message of sum.client(SummarizeService, "connect-binary-h2c").summarizeStream({ text: longDocument })) messages.push(message);
    const progress = messages.flatMap((message) => (message.event.case === "progress" ? [message.event.value] : []));
    const last = messages.at(-1)!;
    expect(last.event.case).toBe("result");
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)!.chunksDone).toBe(progress.at(-1)!.chunksTotal);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.chunksDone).toBeGreaterThan(progress[i - 1]!.chunksDone);
    expect(progress.some((update) => update.partialSummary.length > 0)).toBe(true);
    if (last.event.case === "result") expectWellFormed(last.event.value, longDocument);
  });

  it("reports 100% once for a text of one chunk", async () => {
    const messages: SummarizeStreamResponse[] = [];
    for await (const message of sum.client(SummarizeService, "grpc-h2c").summarizeStream({ text: article })) messages.push(message);
    expect(messages.map((message) => message.event.case)).toEqual(["progress", "result"]);
  });

  it("stops when the client cancels: no result, no event, and the call is logged as cancelled", async () => {
    const before = await sum.server.events.latestSequence();
    const controller = new AbortController();
    const stream = sum.client(SummarizeService, "connect-binary-h2c").summarizeStream({ text: longDocument }, { signal: controller.signal });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const message of stream) {
        seen.push(message.event.case!);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.Canceled);
    expect(seen).not.toContain("result");
    await expect.poll(() => sum.logs.some((line) => line["method"] === "/sum.v1.SummarizeService/SummarizeStream" && line["code"] === "CANCELLED")).toBe(true);
    expect(await sum.server.events.readAfter(before, 10, ["document.summarized"])).toHaveLength(0);
  });

  it("answers bad input with INVALID_ARGUMENT", async () => {
    const error = await (async () => {
      for await (const _ of sum.client(SummarizeService, "connect-json-http1").summarizeStream({ text: "  " })) void _;
    })().catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.InvalidArgument);
  });
});

describe("SummarizeUpload", () => {
  /** The text's UTF-8 bytes cut every `size` bytes, splitting characters where they fall. */
  const chunksOf = (text: string, size: number) => {
    const bytes = Buffer.from(text, "utf8");
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
    return chunks;
  };
  const withAccents = `${article}\n\nCafé owners in Zürich say the naïve approach to pricing failed — “badly”.`;

  it("summarizes a text sent in chunks that split characters, over Connect and grpc-js, like the unary call", async () => {
    const chunks = chunksOf(withAccents, 7);
    const messages = [{ options: { maxSentences: 3 } }, ...chunks.map((chunk) => ({ chunk }))];
    async function* upload() {
      for (const message of messages) yield message;
    }
    const viaConnect = await sum.client(SummarizeService, "connect-binary-h2c").summarizeUpload(upload());
    const viaGrpc = await grpc.clientStream(SummarizeService.method.summarizeUpload, messages);
    const unary = await sum.client(SummarizeService, "connect-binary-h2c").summarize({ text: withAccents, maxSentences: 3 });
    expect(viaConnect.summary).toBe(unary.summary);
    expect(viaGrpc.summary).toBe(unary.summary);
    expect(viaGrpc.stats!.inputWords).toBe(unary.stats!.inputWords);
  });

  it("refuses an upload without options first, invalid UTF-8, and one over the limit", async () => {
    const noOptions = (await grpc.clientStream(SummarizeService.method.summarizeUpload, [{ chunk: Buffer.from("hello") }]).catch((e: unknown) => e)) as ServiceError;
    expect(noOptions.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(noOptions.details).toMatch(/^options: the first message must carry the options/);

    const badUtf8 = (await grpc
      .clientStream(SummarizeService.method.summarizeUpload, [{ options: {} }, { chunk: Buffer.from("fine") }, { chunk: Buffer.from([0xc3, 0x28]) }])
      .catch((e: unknown) => e)) as ServiceError;
    expect(badUtf8.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(badUtf8.details).toMatch(/^chunk: message 2 is not valid UTF-8/);

    const big = Buffer.alloc(100_000, "a ");
    const tooLarge = (await grpc
      .clientStream(SummarizeService.method.summarizeUpload, [{ options: {} }, ...Array.from({ length: 5 }, () => ({ chunk: big }))])
      .catch((e: unknown) => e)) as ServiceError;
    expect(tooLarge.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(tooLarge.details).toMatch(/limit of 400000 bytes/);
  });
});

describe("SummarizeBatch", () => {
  it("returns results in order, each with its own status, and publishes an event per summary", async () => {
    const before = await sum.server.events.latestSequence();
    const response = await sum.client(SummarizeService, "connect-json-http1").summarizeBatch({
      documents: [{ text: articles[1]!.src, documentId: "a" }, { text: "   ", documentId: "b" }, { text: articles[2]!.src, documentId: "c" }],
    });
    expect(response.results.map((result) => result.outcome.case)).toEqual(["response", "error", "response"]);
    const [first, second, third] = response.results;
    expect(first!.outcome.case === "response" && first!.outcome.value.documentId).toBe("a");
    expect(third!.outcome.case === "response" && third!.outcome.value.documentId).toBe("c");
    if (second!.outcome.case !== "error") throw new Error("expected an error");
    expect(second!.outcome.value).toMatchObject({ code: Code.InvalidArgument, codeName: "INVALID_ARGUMENT" });
    expect(second!.outcome.value.message).toMatch(/^documents\[1\]\.text: must not be empty/);
    const events = await sum.server.events.readAfter(before, 10, ["document.summarized"]);
    expect(events.map((event) => event.data["documentId"])).toEqual(["a", "c"]);
  });

  it("refuses an empty batch and one over 100 documents", async () => {
    const client = sum.client(SummarizeService, "connect-binary-h2c");
    for (const count of [0, 101]) {
      const error = await client.summarizeBatch({ documents: Array.from({ length: count }, () => ({ text: "x" })) }).catch((e: unknown) => e);
      expect(ConnectError.from(error).code).toBe(Code.InvalidArgument);
      expect(ConnectError.from(error).rawMessage).toBe(`documents: must hold between 1 and 100 documents, got ${count}`);
    }
  });
});
