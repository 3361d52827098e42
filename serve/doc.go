// Package serve exposes a trovemem store as an S3 endpoint. It owns the S3
// REST front end: addressing (path-style and virtual-host), AWS Signature
// V4 checks (header, presigned, aws-chunked payloads with and without
// trailers), checksums, the bucket, object, listing and multipart handlers,
// and the mapping of store errors to S3 error documents.
//
// The store itself stays S3-agnostic: what S3 keeps beside an object (the
// multipart ETag, checksums, tags, content headers) is kept in the object's
// metadata under keys starting with "s3:", which no S3 client can set,
// since ':' is not allowed in an HTTP header name. Pending multipart uploads
// live in the server's memory, bounded by Options.MaxUploadBytes.
package serve
