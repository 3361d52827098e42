// The JavaScript SDK's round trip against trovemem serve, with the SDK's
// default settings (checksums, aws-chunked bodies) but endpoint,
// credentials and path-style addressing. Usage: node client.mjs ENDPOINT
// ACCESS_KEY SECRET_KEY. Prints one line per step; exits 1 at the first
// failure.
import {
  S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, GetObjectCommand,
  ListObjectsV2Command, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand, CopyObjectCommand, DeleteObjectCommand,
} from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { randomBytes, createHash } from "node:crypto";

const [endpoint, accessKeyId, secretAccessKey] = process.argv.slice(2);
const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
const Bucket = "js-bucket";

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function step(name, fn) {
  try {
    await fn();
    console.log("ok " + name);
  } catch (e) {
    console.log("FAIL " + name + ": " + (e.name || "") + " " + e.message);
    process.exit(1);
  }
}

await step("create bucket", () => s3.send(new CreateBucketCommand({ Bucket })));
await step("put with metadata", async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: "docs/readme.txt", Body: "hello world", ContentType: "text/plain", Metadata: { Owner: "Ada" } }));
  const h = await s3.send(new HeadObjectCommand({ Bucket, Key: "docs/readme.txt" }));
  check(h.Metadata.owner === "Ada", "metadata: got " + JSON.stringify(h.Metadata) + ", want owner=Ada");
  check(h.ContentType === "text/plain", "content type: got " + h.ContentType);
});
await step("routed put of a stream", async () => {
  const body = Readable.from([Buffer.from("line one\n"), Buffer.from("line two\n")]);
  await s3.send(new PutObjectCommand({ Bucket, Key: "logs/a.log", Body: body, ContentLength: 18 }));
  const h = await s3.send(new HeadObjectCommand({ Bucket, Key: "logs/a.log" }));
  // aws-chunked framed the upload; it is not the object's encoding.
  check(h.ContentEncoding === undefined, "content encoding: got " + h.ContentEncoding + ", want none");
  check(h.ContentLength === 18, "size: got " + h.ContentLength + ", want 18");
});
await step("delimiter listing across pages", async () => {
  for (const k of ["list/a/1", "list/a/2", "list/b/1", "list/c", "list/d"]) {
    await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: k }));
  }
  const got = [];
  let ContinuationToken;
  let pages = 0;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "list/", Delimiter: "/", MaxKeys: 2, ContinuationToken }));
    pages++;
    for (const p of out.CommonPrefixes || []) got.push(p.Prefix);
    for (const o of out.Contents || []) got.push(o.Key);
    ContinuationToken = out.NextContinuationToken;
  } while (ContinuationToken);
  check(got.join(" ") === "list/a/ list/b/ list/c list/d", "entries: got " + got.join(" "));
  check(pages === 2, "pages: got " + pages + ", want 2");
});
await step("ranged get", async () => {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key: "docs/readme.txt", Range: "bytes=6-10" }));
  const text = await out.Body.transformToString();
  check(text === "world", "got " + JSON.stringify(text) + ", want world");
});
await step("multipart upload of 20 MiB", async () => {
  const Key = "big/blob.bin";
  const data = randomBytes(20 << 20);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts = [];
  for (let n = 1, off = 0; off < data.length; n++, off += 8 << 20) {
    const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: data.subarray(off, off + (8 << 20)) }));
    Parts.push({ ETag: part.ETag, PartNumber: n, ChecksumCRC32: part.ChecksumCRC32 });
  }
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
  check(done.ETag.endsWith('-3"'), "ETag: got " + done.ETag + ", want one ending in -3");
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  const back = Buffer.from(await out.Body.transformToByteArray());
  const sum = (b) => createHash("sha256").update(b).digest("hex");
  check(sum(back) === sum(data), "content differs from what was uploaded");
});
await step("copy", async () => {
  await s3.send(new CopyObjectCommand({ Bucket, Key: "logs/copy.log", CopySource: Bucket + "/docs/readme.txt" }));
  const h = await s3.send(new HeadObjectCommand({ Bucket, Key: "logs/copy.log" }));
  check(h.ContentLength === 11, "copy size: got " + h.ContentLength);
});
await step("delete", async () => {
  await s3.send(new DeleteObjectCommand({ Bucket, Key: "logs/copy.log" }));
  try {
    await s3.send(new HeadObjectCommand({ Bucket, Key: "logs/copy.log" }));
    check(false, "object still there after delete");
  } catch (e) {
    check(e.name === "NotFound", "HeadObject after delete: got " + e.name + ", want NotFound");
  }
});
await step("wrong secret is refused", async () => {
  const bad = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey: "wrong" } });
  try {
    await bad.send(new HeadObjectCommand({ Bucket, Key: "docs/readme.txt" }));
    check(false, "a wrong secret was accepted");
  } catch (e) {
    check(e.$metadata && e.$metadata.httpStatusCode === 403, "got " + e.name + ", want 403");
  }
});
