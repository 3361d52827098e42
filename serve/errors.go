package serve

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// APIError is an S3 error response: the code clients switch on, the message
// S3 sends with it and the HTTP status. Handlers return it (possibly wrapped);
// the server writes it as S3's XML error document.
type APIError struct {
	Code    string
	Message string
	Status  int
	// Fields are extra elements of the error document, such as
	// ArgumentName and ArgumentValue of InvalidArgument.
	Fields []Field
}

// Field is one extra element of an error document.
type Field struct{ Name, Value string }

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is match two APIErrors with the same code and message, so
// tests can compare against the values below.
func (e *APIError) Is(target error) bool {
	var t *APIError
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Message == e.Message
}

func apiErr(status int, code, msg string) *APIError {
	return &APIError{Code: code, Message: msg, Status: status}
}

// The S3 errors the server answers with. Messages are those S3 documents
// (and SDK-level tests compare them), so they are not to be reworded.
var (
	ErrAccessDenied          = apiErr(http.StatusForbidden, "AccessDenied", "Access Denied.")
	ErrBucketNotEmpty        = apiErr(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty.")
	ErrBucketAlreadyOwned    = apiErr(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	ErrInvalidBucketName     = apiErr(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
	ErrInvalidDigest         = apiErr(http.StatusBadRequest, "InvalidDigest", "The Content-Md5 you specified is not valid.")
	ErrBadDigest             = apiErr(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	ErrNoSuchBucket          = apiErr(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
	ErrNoSuchKey             = apiErr(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	ErrNoSuchUpload          = apiErr(http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	ErrInternal              = apiErr(http.StatusInternalServerError, "InternalError", "We encountered an internal error, please try again.")
	ErrIncompleteBody        = apiErr(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
	ErrLengthMismatch        = apiErr(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
	ErrInvalidPart           = apiErr(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	ErrInvalidPartNumRange   = apiErr(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable.")
	ErrRangeAndPartNumber    = apiErr(http.StatusBadRequest, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	ErrInvalidPartOrder      = apiErr(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
	ErrInvalidCopyDest       = apiErr(http.StatusBadRequest, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	ErrInvalidTagKey         = apiErr(http.StatusBadRequest, "InvalidTag", "The TagKey you have provided is invalid")
	ErrInvalidTagValue       = apiErr(http.StatusBadRequest, "InvalidTag", "The TagValue you have provided is invalid")
	ErrDuplicateTagKey       = apiErr(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key")
	ErrBucketTagsLimited     = apiErr(http.StatusBadRequest, "BadRequest", "Bucket tag count cannot be greater than 50")
	ErrObjectTagsLimited     = apiErr(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	ErrMalformedXML          = apiErr(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
	ErrEntityTooSmall        = apiErr(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
	ErrEntityTooLarge        = apiErr(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	ErrExpiredPresign        = apiErr(http.StatusForbidden, "AccessDenied", "Request has expired.")
	ErrInvalidAccessKeyID    = apiErr(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	ErrSignatureDoesNotMatch = apiErr(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	ErrContentSHA256Mismatch = apiErr(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	ErrInvalidSHA256Payload  = apiErr(http.StatusBadRequest, "InvalidRequest", "The value of x-amz-content-sha256 header is invalid.")
	ErrMissingDate           = apiErr(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header.")
	ErrGetUploadsWithKey     = apiErr(http.StatusBadRequest, "InvalidRequest", "Key is not expected for the GET method ?uploads subresource")
	ErrNotImplemented        = apiErr(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented.")
	ErrPreconditionFailed    = apiErr(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.")
	ErrInvalidRange          = apiErr(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
	ErrInvalidURI            = apiErr(http.StatusBadRequest, "InvalidURI", "The specified URI couldn't be parsed.")
	ErrKeyTooLong            = apiErr(http.StatusBadRequest, "KeyTooLongError", "Your key is too long.")
	ErrRequestTimeTooSkewed  = apiErr(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	ErrAclNotSupported       = apiErr(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs.")
	ErrChecksumSDKAlgo       = apiErr(http.StatusBadRequest, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	ErrMultipleChecksums     = apiErr(http.StatusBadRequest, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	ErrInvalidChecksumAlgo   = apiErr(http.StatusBadRequest, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]")
	ErrChecksumTypeWithAlgo  = apiErr(http.StatusBadRequest, "InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	ErrTrailerNotSupported   = apiErr(http.StatusBadRequest, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported")
	ErrNotModified           = apiErr(http.StatusNotModified, "NotModified", "Not Modified")
	ErrInvalidLocation       = apiErr(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
	ErrMalformedTrailer      = apiErr(http.StatusBadRequest, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.")
	ErrSlowDown              = apiErr(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	ErrMetadataTooLarge      = apiErr(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size")
	ErrUnsupportedAuth       = apiErr(http.StatusBadRequest, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	ErrMethodNotAllowed      = apiErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	ErrInvalidRedirect       = apiErr(http.StatusBadRequest, "InvalidRedirectLocation", "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.")
	ErrAuthHeaderMalformed   = apiErr(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
)

// errInvalidArg is S3's InvalidArgument error.
func errInvalidArg(msg string) *APIError {
	return apiErr(http.StatusBadRequest, "InvalidArgument", msg)
}

// errArg is InvalidArgument naming the argument and the value refused.
func errArg(name, value, msg string) *APIError {
	e := errInvalidArg(msg)
	e.Fields = []Field{{"ArgumentName", name}, {"ArgumentValue", value}}
	return e
}

// ErrBadRequest answers keys that would climb out of their bucket.
var ErrBadRequest = apiErr(http.StatusBadRequest, "400", "Bad Request")

func errInvalidHeader(header string) *APIError {
	return apiErr(http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Value for %v header is invalid.", header))
}

func errChecksumMismatch(algo string) *APIError {
	return apiErr(http.StatusBadRequest, "BadDigest", fmt.Sprintf("The %v you specified did not match the calculated checksum.", algo))
}

type errorDocument struct {
	XMLName   xml.Name   `xml:"Error"`
	Code      string     `xml:"Code"`
	Message   string     `xml:"Message"`
	Fields    []xmlField `xml:",any"`
	Resource  string     `xml:"Resource,omitempty"`
	RequestID string     `xml:"RequestId"`
	HostID    string     `xml:"HostId"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}
