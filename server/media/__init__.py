"""Media storage backends and (later) image processing."""
