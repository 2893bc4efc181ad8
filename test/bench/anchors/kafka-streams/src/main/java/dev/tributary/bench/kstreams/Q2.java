package dev.tributary.bench.kstreams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Nexmark q2, selection (examples/nexmark/q2.ts): the bids on every 123rd auction, as
 * {@code {auction, price}}, the key unchanged.
 */
final class Q2 implements Query {
  @Override
  public void build(StreamsBuilder builder, Options options) {
    builder.stream(options.bids(), Consumed.with(Serdes.String(), Json.objects()))
        .filter((key, bid) -> bid.get("auction").asLong() % 123 == 0)
        .mapValues(bid -> {
          ObjectNode selected = Json.object();
          selected.set("auction", bid.get("auction"));
          selected.set("price", bid.get("price"));
          return selected;
        })
        .to(options.output(), Produced.with(Serdes.String(), Json.objects()));
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.bids());
  }
}
