package s3driver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		dsn     string
		want    Config
		wantErr string // a fragment; "" for success
	}{
		{"full", "s3://AK:S%2Fcret@eu-west-1/photos?endpoint=http://127.0.0.1:9000/&path_style=true&timeout=2s&max_attempts=5&part_size=6000000",
			Config{AccessKey: "AK", SecretKey: "S/cret", Region: "eu-west-1", Bucket: "photos", Endpoint: "http://127.0.0.1:9000",
				PathStyle: true, Timeout: 2 * time.Second, MaxAttempts: 5, PartSize: 6000000}, ""},
		{"AWS chain", "s3://", Config{}, ""},
		{"region only", "s3://us-east-2", Config{Region: "us-east-2"}, ""},
		{"bucket with slash", "s3://us-east-2/photos/", Config{Region: "us-east-2", Bucket: "photos"}, ""},
		{"profile", "s3://?profile=work", Config{Profile: "work"}, ""},
		{"key without secret", "s3://AK@us-east-1", Config{}, "has no secret"},
		{"host and port", "s3://AK:s3cr3t@localhost:9000", Config{}, "is not a region"},
		{"two path parts", "s3://AK:s3cr3t@us-east-1/a/b", Config{}, "at most one bucket"},
		{"bad bucket", "s3://AK:s3cr3t@us-east-1/No_Such", Config{}, "default bucket"},
		{"unknown param", "s3://AK:s3cr3t@us-east-1?endpoint_url=x", Config{}, `unknown parameter "endpoint_url"`},
		{"endpoint not a URL", "s3://AK:s3cr3t@us-east-1?endpoint=127.0.0.1:9000", Config{}, "want a URL"},
		{"path_style not a bool", "s3://AK:s3cr3t@us-east-1?path_style=yes%21", Config{}, "want true or false"},
		{"zero timeout", "s3://AK:s3cr3t@us-east-1?timeout=0s", Config{}, "positive duration"},
		{"part size below S3's minimum", "s3://AK:s3cr3t@us-east-1?part_size=1024", Config{}, "from 5242880"},
		{"attempts out of range", "s3://AK:s3cr3t@us-east-1?max_attempts=0", Config{}, "from 1 to 10"},
		{"repeated param", "s3://AK:s3cr3t@us-east-1?timeout=1s&timeout=2s", Config{}, "given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, err := driver.ParseDSN(tt.dsn)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.dsn, err)
			}
			got, err := ParseConfig(dsn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("got error %q, want it without the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	stamp := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
	md := map[string]string{
		"plain": "ascii value", "Upper": "kept", "empty": "", "blanks": "  around  ",
		"unicode": "ünïcode 日本 🙂", "encoded-looking": "=?UTF-8?B?eA==?=", "control": "tab\tnewline\n",
		MetaLastModified: "a caller's value is replaced",
	}
	headers, reported, err := encodeMetadata(md, stamp)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] > 0x7e {
				t.Errorf("header %s: got %q, want printable ASCII only", k, v)
				break
			}
		}
		if v == "" || strings.TrimSpace(v) != v {
			t.Errorf("header %s: got %q, which HTTP would change", k, v)
		}
	}
	got, gotStamp := decodeMetadata(headers)
	if diff := cmp.Diff(reported, got); diff != "" {
		t.Errorf("decoded metadata differs from what Put reports (-put +decoded):\n%s", diff)
	}
	if got["upper"] != "kept" || got["empty"] != "" || got["unicode"] != md["unicode"] || got["blanks"] != md["blanks"] {
		t.Errorf("decoded metadata: got %q, want the values kept and names lower-cased", got)
	}
	if _, ok := got[MetaLastModified]; ok {
		t.Errorf("decoded metadata: got the reserved key %q, want it taken out", MetaLastModified)
	}
	if !gotStamp.Equal(stamp) {
		t.Errorf("stamp: got %v, want %v", gotStamp, stamp)
	}
	for _, bad := range []map[string]string{{"with space": "x"}, {"a": "1", "A": "2"}} {
		if _, _, err := encodeMetadata(bad, stamp); !errors.Is(err, driver.ErrInvalidName) {
			t.Errorf("encodeMetadata(%q): got %v, want ErrInvalidName", bad, err)
		}
	}
}

func TestCopySource(t *testing.T) {
	got := copySource("bkt", "dir/a b+c%d?é")
	if want := "bkt/dir/a%20b%2Bc%25d%3F%C3%A9"; got != want {
		t.Errorf("copySource: got %q, want %q", got, want)
	}
}

func TestCredentialChain(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	conf := filepath.Join(dir, "config")
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n\n[other]\naws_access_key_id=OTHERKEY\naws_secret_access_key=othersecret\n"), 0o600)
	os.WriteFile(conf, []byte("[profile cfg]\nregion = ap-south-1\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\n"), 0o600)
	tests := []struct {
		name       string
		env        map[string]string
		cfg        Config
		wantKey    string
		wantRegion string
		wantErr    error
	}{
		{"DSN keys win", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"}, Config{AccessKey: "DSNKEY", SecretKey: "x", Region: "eu-west-1"}, "DSNKEY", "eu-west-1", nil},
		{"environment", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_REGION": "us-west-2"}, Config{}, "ENVKEY", "us-west-2", nil},
		{"shared file, default profile", nil, Config{}, "FILEKEY", "us-east-1", nil},
		{"AWS_PROFILE", map[string]string{"AWS_PROFILE": "other"}, Config{}, "OTHERKEY", "us-east-1", nil},
		{"DSN profile in the config file, with its region", nil, Config{Profile: "cfg"}, "CFGKEY", "ap-south-1", nil},
		{"no such profile", nil, Config{Profile: "nope"}, "", "", ErrNoCredentials},
		{"key without secret", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY"}, Config{}, "", "", ErrNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
				t.Setenv(k, tt.env[k])
			}
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			t.Setenv("AWS_CONFIG_FILE", conf)
			p, region, err := resolveCredentials(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Retrieve: got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Retrieve: %v", err)
			}
			if c.AccessKeyID != tt.wantKey || region != tt.wantRegion {
				t.Errorf("got key %q region %q, want %q %q", c.AccessKeyID, region, tt.wantKey, tt.wantRegion)
			}
		})
	}
}
