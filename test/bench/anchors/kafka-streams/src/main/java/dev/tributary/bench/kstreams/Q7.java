package dev.tributary.bench.kstreams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Nexmark q7, highest bid (examples/nexmark/q7.ts): all bids grouped under the key "all", per
 * 10-second tumbling window (no grace) the highest price and the bids that offered it (in the
 * order they came), emitted once the window closes (suppress) as {@code {windowStart, price, bids}}.
 * Output key: the window start as a float64.
 */
final class Q7 implements Query {
  static final TimeWindows WINDOW = TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10));

  @Override
  public void build(StreamsBuilder builder, Options options) {
    builder.stream(options.bids(), Consumed.with(Serdes.String(), Json.objects()))
        .groupBy((key, bid) -> "all", Grouped.with("q7-all-bids", Serdes.String(), Json.objects()))
        .windowedBy(WINDOW)
        .aggregate(
            () -> highest(-1, Json.MAPPER.createArrayNode()),
            (all, bid, highest) -> higher(bid, highest),
            Materialized.<String, ObjectNode, WindowStore<Bytes, byte[]>>as("q7-highest-bid")
                .withKeySerde(Serdes.String())
                .withValueSerde(Json.objects()))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .map((window, highest) -> {
          ObjectNode answer = Json.object();
          answer.put("windowStart", window.window().start());
          answer.put("price", highest == null ? -1 : highest.get("price").asLong());
          answer.set("bids", highest == null ? Json.MAPPER.createArrayNode() : highest.get("bids"));
          return KeyValue.pair((double) window.window().start(), answer);
        })
        .to(options.output(), Produced.with(Serdes.Double(), Json.objects()));
  }

  /** A higher price starts a new list; the same price adds the bid to it. */
  private static ObjectNode higher(ObjectNode bid, ObjectNode highest) {
    long price = bid.get("price").asLong();
    long best = highest.get("price").asLong();
    if (price > best) return highest(price, Json.MAPPER.createArrayNode().add(bid));
    if (price < best) return highest;
    return highest(price, ((ArrayNode) highest.get("bids")).deepCopy().add(bid));
  }

  private static ObjectNode highest(long price, ArrayNode bids) {
    ObjectNode highest = Json.object();
    highest.put("price", price);
    highest.set("bids", bids);
    return highest;
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.bids());
  }
}
