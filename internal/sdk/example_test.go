package sdk_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

// startFake runs a fake for an example and returns a client for it and a stop function.
func startFake(cfg fakehetzner.Config, opts ...sdk.Option) (*sdk.Client, func()) {
	fake, err := fakehetzner.New(cfg)
	if err != nil {
		panic(err)
	}
	hs := httptest.NewServer(fake.Handler())
	base := []sdk.Option{sdk.WithEndpoint(hs.URL + "/v1"), sdk.WithHTTPClient(hs.Client())}
	return sdk.New("example-token", append(base, opts...)...), hs.Close
}

func ExampleNew() {
	client, stop := startFake(fakehetzner.Config{})
	defer stop()

	loc, err := client.Cloud().Locations().Get(context.Background(), 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(loc.Name, loc.NetworkZone)
	// Output: fsn1 eu-central
}

func ExampleServerClient_Create() {
	client, stop := startFake(fakehetzner.Config{}, sdk.WithPollBackoff(time.Millisecond, 10*time.Millisecond))
	defer stop()
	ctx := context.Background()

	res, err := client.Cloud().Servers().Create(ctx, sdk.ServerCreateOpts{
		Name: "web-1", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Server.Name, res.Server.Status)
	// Wait for create_server and start_server.
	if err := client.Cloud().Actions().Wait(ctx, res.AllActions()...); err != nil {
		panic(err)
	}
	server, err := client.Cloud().Servers().Get(ctx, res.Server.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(server.Name, server.Status)
	// Output:
	// web-1 initializing
	// web-1 running
}

func ExampleError() {
	client, stop := startFake(fakehetzner.Config{})
	defer stop()

	_, err := client.Cloud().SSHKeys().Get(context.Background(), 42)
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	fmt.Println(errors.Is(err, sdk.ErrNotFound))
	// Output:
	// 404 not_found
	// true
}

func ExampleSelector() {
	fmt.Println(sdk.Selector().Eq("env", "prod").NotIn("tier", "db", "cache").Exists("team"))
	// Output: env=prod,tier notin (db,cache),team
}

func ExampleSSHKeyClient_All() {
	client, stop := startFake(fakehetzner.Config{})
	defer stop()
	ctx := context.Background()
	for i, env := range []string{"prod", "dev", "prod"} {
		_, err := client.Cloud().SSHKeys().Create(ctx, sdk.SSHKeyCreateOpts{
			Name: fmt.Sprintf("key-%d", i), PublicKey: examplePublicKey(byte(i)), Labels: map[string]string{"env": env},
		})
		if err != nil {
			panic(err)
		}
	}
	// All follows next_page: here one key per page, three requests.
	opts := sdk.SSHKeyListOpts{LabelSelector: sdk.Selector().Eq("env", "prod").String(), PerPage: 1}
	for key, err := range client.Cloud().SSHKeys().All(ctx, opts) {
		if err != nil {
			panic(err)
		}
		fmt.Println(key.Name)
	}
	// Output:
	// key-0
	// key-2
}

func ExampleCloud_Call() {
	client, stop := startFake(fakehetzner.Config{})
	defer stop()

	// Any operation of openapi.json by its operationId, with or without a facade.
	var out struct {
		ServerTypes []sdk.ServerType `json:"server_types"`
	}
	err := client.Cloud().Call(context.Background(), "list_server_types", sdk.Params{"name": "cpx22"}, nil, &out)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.ServerTypes[0].Name, out.ServerTypes[0].Cores, out.ServerTypes[0].Architecture)
	// Output: cpx22 2 x86
}

func ExampleActionClient_Watch() {
	client, stop := startFake(fakehetzner.Config{}, sdk.WithPollBackoff(time.Millisecond, 10*time.Millisecond))
	defer stop()
	ctx := context.Background()
	res, err := client.Cloud().Zones().Create(ctx, sdk.ZoneCreateOpts{Name: "example.com", Mode: sdk.ZoneModePrimary})
	if err != nil {
		panic(err)
	}
	for action, err := range client.Cloud().Actions().Watch(ctx, res.Action) {
		if err != nil {
			panic(err)
		}
		fmt.Println(action.Command, action.Status, action.Progress)
	}
	// Output: create_zone success 100
}

func ExampleClient_RateLimit() {
	client, stop := startFake(fakehetzner.Config{RateLimit: 3600})
	defer stop()
	if _, err := client.Cloud().Pricing().Get(context.Background()); err != nil {
		panic(err)
	}
	rl := client.RateLimit()
	fmt.Println(rl.Limit, rl.Remaining)
	// Output: 3600 3599
}

// examplePublicKey is a valid ed25519 authorized_keys line derived from seed.
func examplePublicKey(seed byte) string {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(s).Public())
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}
