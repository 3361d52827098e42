package s3driver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
)

// ErrNoCredentials means a DSN without ACCESS_KEY:SECRET found none in the
// standard AWS places either.
var ErrNoCredentials = errors.New("no AWS credentials")

// credentialsError is ErrNoCredentials with what was looked for; the SDK
// nests it deep in its own errors, and translate brings it back up.
type credentialsError struct{ detail string }

func (e *credentialsError) Error() string { return ErrNoCredentials.Error() + ": " + e.detail }
func (e *credentialsError) Unwrap() error { return ErrNoCredentials }

func noCredentials(format string, args ...any) error {
	return &credentialsError{fmt.Sprintf(format, args...)}
}

// resolveCredentials picks the credentials and region for cfg. Keys in the
// DSN win. Without them the driver reads the standard AWS sources, in the
// order the AWS CLI does for the ones it supports: the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the
// profile (AWS_PROFILE, the DSN's profile=, or "default") in the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) and
// the shared config file (AWS_CONFIG_FILE or ~/.aws/config), whose
// static keys or credential_process it uses. SSO, web identity and
// instance roles need the SDK's config module, which this driver leaves out
// to keep the module graph small; a credential_process can bridge to them.
// Credentials are looked up when first needed and cached.
func resolveCredentials(cfg Config) (aws.CredentialsProvider, string, error) {
	region := cfg.Region
	if cfg.AccessKey != "" {
		if region == "" {
			region = envRegion()
		}
		if region == "" {
			region = "us-east-1"
		}
		return credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken), region, nil
	}
	profile := os.Getenv("AWS_PROFILE")
	if profile == "" {
		profile = cfg.Profile
	}
	if profile == "" {
		profile = "default"
	}
	if region == "" {
		region = envRegion()
	}
	if region == "" {
		if sec, _ := readProfile(configFile(), profile, true); sec != nil {
			region = sec["region"]
		}
	}
	if region == "" {
		region = "us-east-1"
	}
	return aws.NewCredentialsCache(chain{profile: profile}), region, nil
}

func envRegion() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return os.Getenv("AWS_DEFAULT_REGION")
}

// chain is the standard sources as one provider.
type chain struct{ profile string }

func (c chain) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if id := os.Getenv("AWS_ACCESS_KEY_ID"); id != "" {
		secret := os.Getenv("AWS_SECRET_ACCESS_KEY")
		if secret == "" {
			return aws.Credentials{}, noCredentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
		}
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "environment"}, nil
	}
	for _, f := range []struct {
		path      string
		isConfig  bool
		sourceTag string
	}{{credentialsFile(), false, "shared credentials file"}, {configFile(), true, "shared config file"}} {
		sec, err := readProfile(f.path, c.profile, f.isConfig)
		if err != nil {
			return aws.Credentials{}, err
		}
		if sec == nil {
			continue
		}
		if id := sec["aws_access_key_id"]; id != "" {
			return aws.Credentials{
				AccessKeyID: id, SecretAccessKey: sec["aws_secret_access_key"],
				SessionToken: sec["aws_session_token"], Source: f.sourceTag,
			}, nil
		}
		if cmd := sec["credential_process"]; cmd != "" {
			return processcreds.NewProvider(cmd).Retrieve(ctx)
		}
	}
	return aws.Credentials{}, noCredentials("put ACCESS_KEY:SECRET in the DSN, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile %q keys or a credential_process in %s",
		c.profile, credentialsFile())
}

func credentialsFile() string {
	if p := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		return p
	}
	return homeFile("credentials")
}

func configFile() string {
	if p := os.Getenv("AWS_CONFIG_FILE"); p != "" {
		return p
	}
	return homeFile("config")
}

func homeFile(name string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".aws", name)
}

// readProfile returns the key = value pairs of profile's section in an
// INI-style AWS file, or nil when the file or the section does not exist.
// In the config file a profile other than default is "[profile NAME]".
func readProfile(path, profile string, isConfig bool) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, noCredentials("%v", err)
	}
	defer f.Close()
	want := profile
	if isConfig && profile != "default" {
		want = "profile " + profile
	}
	var sec map[string]string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			name := strings.Join(strings.Fields(line[1:len(line)-1]), " ")
			in = name == want
			if in && sec == nil {
				sec = map[string]string{}
			}
			continue
		}
		if !in {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			sec[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, noCredentials("reading %s: %v", path, err)
	}
	return sec, nil
}
