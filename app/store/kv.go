package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colKV = "kv"

// KV is a small expiring key-value store in MongoDB with the method set of
// fiber.Storage (without importing fiber), so fiber's CSRF and limiter
// middleware keep their state where every app node sees it. Its methods
// take no context because fiber.Storage has none; each call is bounded by
// a timeout instead.
type KV struct {
	s       *Store
	prefix  string
	timeout time.Duration
}

// KV returns a key-value store whose keys are namespaced by prefix.
func (s *Store) KV(prefix string) *KV {
	return &KV{s: s, prefix: prefix + ":", timeout: 5 * time.Second}
}

type kvDoc struct {
	Key     string    `bson:"_id"`
	Value   []byte    `bson:"v"`
	Expires time.Time `bson:"exp,omitempty"`
}

func (k *KV) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), k.timeout)
}

// Get returns the value of key, or nil when it is missing or expired.
func (k *KV) Get(key string) ([]byte, error) {
	ctx, cancel := k.ctx()
	defer cancel()
	var d kvDoc
	err := k.s.col(colKV).FindOne(ctx, byID(k.prefix+key)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(colKV, err)
	}
	if !d.Expires.IsZero() && !time.Now().Before(d.Expires) {
		return nil, nil
	}
	return d.Value, nil
}

// Set stores val under key for exp (0: no expiry).
func (k *KV) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	ctx, cancel := k.ctx()
	defer cancel()
	d := kvDoc{Key: k.prefix + key, Value: val}
	if exp > 0 {
		d.Expires = time.Now().Add(exp).UTC().Truncate(time.Millisecond)
	}
	_, err := k.s.col(colKV).ReplaceOne(ctx, byID(d.Key), d, options.Replace().SetUpsert(true))
	return wrap(colKV, err)
}

// Delete removes key.
func (k *KV) Delete(key string) error {
	ctx, cancel := k.ctx()
	defer cancel()
	_, err := k.s.col(colKV).DeleteOne(ctx, byID(k.prefix+key))
	return wrap(colKV, err)
}

// Reset removes every key of this namespace.
func (k *KV) Reset() error {
	ctx, cancel := k.ctx()
	defer cancel()
	_, err := k.s.col(colKV).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexQuote(k.prefix)}}}})
	return wrap(colKV, err)
}

// Close does nothing: the store's connection belongs to the store.
func (k *KV) Close() error { return nil }

// DeleteExpiredKV removes expired keys of every namespace (an app job).
func (s *Store) DeleteExpiredKV(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.col(colKV).DeleteMany(ctx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, wrap(colKV, err)
	}
	return res.DeletedCount, nil
}

func regexQuote(s string) string {
	const special = `\.+*?()|[]{}^$`
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(special); j++ {
			if s[i] == special[j] {
				out = append(out, '\\')
				break
			}
		}
		out = append(out, s[i])
	}
	return string(out)
}
