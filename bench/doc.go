// Package bench holds side-by-side benchmarks and differential tests of
// github.com/connectchat/participant against aws-sdk-go-v2's
// connectparticipant client. It is its own module so that the root module
// never depends on the full AWS SDK. Nothing imports it.
package bench
