// Package version holds this module's version, which the client sends in
// its User-Agent header and the participant tool prints for --version.
package version

// Version is this module's version.
const Version = "0.1.0"
