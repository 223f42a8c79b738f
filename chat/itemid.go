package chat

import "hash/maphash"

// itemID is an item's Id as the engine remembers it: a 128-bit keyed hash
// of the Id (two hash/maphash sums, with seeds drawn once per process).
// Two Ids meet by chance with odds of about 2^-128 a pair, and a peer cannot
// aim for a collision, not knowing the seeds. Being a plain array, an
// itemID costs the garbage collector nothing to keep, where a string is one
// more object to mark: a session remembers up to Options.RecentIDs of them.
type itemID [2]uint64

// idSeeds are the seeds of idOf.
var idSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// idOf returns the itemID of the Id s.
func idOf(s string) itemID {
	return itemID{maphash.String(idSeeds[0], s), maphash.String(idSeeds[1], s)}
}
