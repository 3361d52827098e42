// Command floorserver is the floor of BenchmarkS3Paired: an HTTP server
// that answers the benchmark's S3 requests doing as little as one can. A
// put's body is read to its end and hashed with MD5 (its ETag, which no S3
// server can skip); a get answers 64 KiB from memory; anything else is an
// empty 200. It checks no signature, stores nothing and parses no XML, so
// what it costs the client is the SDK, the kernel and the wake-ups alone.
package main

import (
	"crypto/md5"
	"encoding/hex"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on")
	flag.Parse()
	object := make([]byte, 64<<10)
	modified := time.Now().UTC().Format(http.TimeFormat)
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		if _, err := io.Copy(h, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Length", strconv.Itoa(len(object)))
			w.Header().Set("Last-Modified", modified)
			_, _ = w.Write(object)
		}
	})))
}
