package s3driver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/trovemem/trovemem/driver"
)

// Errors of an S3 service that the driver contract has no sentinel for.
// A *RequestError wraps one of them when it applies, so callers can tell
// what went wrong with errors.Is.
var (
	// ErrAccessDenied means the service refused the credentials or their
	// rights: a wrong key or secret, a bad signature, a clock too far off,
	// or a policy that does not allow the operation.
	ErrAccessDenied = errors.New("access denied")
	// ErrUnavailable means the service did not answer usefully after every
	// attempt: it could not be reached, went silent, or kept answering
	// 5xx or throttling.
	ErrUnavailable = errors.New("service unavailable")
	// errPreconditionFailed is a 412: Copy's If-Match found the source
	// changed between its Head and its CopyObject, and tries again.
	errPreconditionFailed = errors.New("precondition failed")
)

// credentialCodes are S3 error codes about the credentials themselves,
// whatever status a server sends them with (versitygw answers an unknown
// access key with 404 XAdminUserNotFound).
var credentialCodes = map[string]bool{
	"AccessDenied": true, "InvalidAccessKeyId": true, "SignatureDoesNotMatch": true,
	"ExpiredToken": true, "InvalidToken": true, "RequestTimeTooSkewed": true,
	"XAdminUserNotFound": true,
}

// RequestError is an S3 request that failed for a reason that is not one of
// the driver's sentinels. Its message is one line: the S3 operation, the
// HTTP status and S3 error code when the service answered, and the
// service's message or the network's error; the SDK's request IDs and
// nesting are left out.
type RequestError struct {
	// Op is the S3 operation, such as "PutObject".
	Op string
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Code is S3's error code, such as "SignatureDoesNotMatch", when the
	// response carried one.
	Code string
	// Message is the service's message, or what went wrong on the way.
	Message string
	// Attempts is how many times the request was tried.
	Attempts int
	// Kind is ErrAccessDenied, ErrUnavailable or nil.
	Kind error
	// Err is the SDK's error.
	Err error
}

func (e *RequestError) Error() string {
	var b strings.Builder
	b.WriteString("S3 ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d ", e.Status)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As both the kind and the SDK's error.
func (e *RequestError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// translate turns an SDK error into the contract's terms: a bare sentinel
// where one applies (the portable layer adds the operation, bucket and
// key), and a *RequestError otherwise. A cancelled or expired context stays
// itself, so callers see context.Canceled as from every other driver.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return contextError(err)
		}
	}
	var ce *credentialsError
	if errors.As(err, &ce) {
		return ce
	}
	status := statusOf(err)
	code, msg := "", ""
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg = apiErr.ErrorCode(), apiErr.ErrorMessage()
	}
	switch code {
	case "NoSuchBucket":
		return driver.ErrBucketNotFound
	case "NoSuchKey":
		return driver.ErrObjectNotFound
	case "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
		return driver.ErrBucketExists
	case "BucketNotEmpty":
		return driver.ErrBucketNotEmpty
	case "InvalidRange":
		return driver.ErrInvalidRange
	case "PreconditionFailed":
		return errPreconditionFailed
	}
	switch status {
	case http.StatusRequestedRangeNotSatisfiable:
		return driver.ErrInvalidRange
	case http.StatusPreconditionFailed:
		return errPreconditionFailed
	}
	re := &RequestError{Op: op, Status: status, Code: code, Message: msg, Err: err}
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) {
		re.Attempts = maxErr.Attempt
	}
	switch {
	case status == http.StatusForbidden || status == http.StatusUnauthorized || credentialCodes[code]:
		re.Kind = ErrAccessDenied
	case status >= 500 || status == http.StatusTooManyRequests || status == 0:
		re.Kind = ErrUnavailable
	}
	if code == "" && msg == "" {
		re.Message = causeOf(err, status)
	}
	return re
}

// contextError returns the context error err carries, without the SDK's
// wrapping.
func contextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// statusOf returns the HTTP status of the response err came with, or 0.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isStatus reports whether err came with HTTP status code.
func isStatus(err error, code int) bool { return statusOf(err) == code }

// causeOf finds the most telling part of an error that carries no S3 error
// document: the network error under the SDK's operation and retry layers
// ("dial tcp 127.0.0.1:1: connect: connection refused"), or the status
// text of a bodiless answer.
func causeOf(err error, status int) string {
	var te *awshttp.ResponseTimeoutError
	if errors.As(err, &te) {
		return fmt.Sprintf("no answer within %v", te.TimeoutDur)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ne.Error()
	}
	if status != 0 {
		return http.StatusText(status)
	}
	// The innermost error is the cause; the layers above it only repeat
	// the operation's name.
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
