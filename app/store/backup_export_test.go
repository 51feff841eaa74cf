package store

import "go.mongodb.org/mongo-driver/v2/mongo"

// Collection gives tests the driver's handle on a collection, to write
// documents of every BSON type and to list indexes.
func (s *Store) Collection(name string) *mongo.Collection { return s.col(name) }
