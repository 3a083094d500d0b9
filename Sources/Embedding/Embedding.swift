/// The embedding job: stores, search, duplicates, clusters, export, and the folder pipeline.
import Tensor
