package repl

import (
	"bytes"
	"encoding/json"
)

func compactJSON(dst *bytes.Buffer, s string) error { return json.Compact(dst, []byte(s)) }
