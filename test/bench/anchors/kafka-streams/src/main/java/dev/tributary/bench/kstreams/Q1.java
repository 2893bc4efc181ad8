package dev.tributary.bench.kstreams;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Nexmark q1, currency conversion (examples/nexmark/q1.ts): every bid with its price in euros,
 * {@code price * 0.908}, the other fields and the key unchanged.
 */
final class Q1 implements Query {
  static final double EUROS_PER_DOLLAR = 0.908;

  @Override
  public void build(StreamsBuilder builder, Options options) {
    builder.stream(options.bids(), Consumed.with(Serdes.String(), Json.objects()))
        .mapValues(bid -> bid.put("price", bid.get("price").asDouble() * EUROS_PER_DOLLAR))
        .to(options.output(), Produced.with(Serdes.String(), Json.objects()));
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.bids());
  }
}
