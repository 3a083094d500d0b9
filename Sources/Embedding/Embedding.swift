// The embedding job, after inference: a SQLite vector store (Store/), exact
// cosine search, near-duplicate groups and k-means (Search/), and file export
// to .npy / .jsonl / .csv (Export/). The folder pipeline lives beside these.
//
// Entry points:
//   EmbeddingStore(path:)            open or create a store file
//   EmbeddingStore.collection(named:provenance:) -> EmbeddingCollection
//   EmbeddingCollection.upsert(batch:), .knownFiles(), .loadAll()
//   VectorSearch, DuplicateFinder, KMeans, VectorExport, VectorStreamWriter
import Tensor
