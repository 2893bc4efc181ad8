package dev.tributary.bench.kstreams;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** The stateless copy pipeline: every bid record to the output, key and value bytes unchanged. */
final class Copy implements Query {
  @Override
  public void build(StreamsBuilder builder, Options options) {
    builder.stream(options.bids(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(options.output(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.bids());
  }
}
