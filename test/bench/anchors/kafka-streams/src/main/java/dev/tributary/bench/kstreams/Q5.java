package dev.tributary.bench.kstreams;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Nexmark q5, hot items (examples/nexmark/q5.ts): bids counted per auction in hopping windows of
 * 10 s every 2 s (no grace), each window's final counts (suppress) regrouped by window start, and
 * the window's maximum kept as {@code {windowStart, bids, auctions}} (auctions sorted). Output key:
 * the window start as a float64 (8 bytes big-endian, Tributary's {@code serdes.float64()}).
 */
final class Q5 implements Query {
  static final TimeWindows WINDOW = TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)).advanceBy(Duration.ofSeconds(2));

  @Override
  public void build(StreamsBuilder builder, Options options) {
    builder.stream(options.bids(), Consumed.with(Serdes.String(), Json.objects()))
        .groupBy((key, bid) -> bid.get("auction").asInt(), Grouped.with("q5-bids-by-auction", Serdes.Integer(), Json.objects()))
        .windowedBy(WINDOW)
        .count(Materialized.as("q5-bids-per-auction"))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .map((window, count) -> {
          ObjectNode auctionBids = Json.object();
          auctionBids.put("auction", window.key());
          auctionBids.put("bids", count == null ? 0 : count);
          return KeyValue.pair((double) window.window().start(), auctionBids);
        })
        .groupByKey(Grouped.with("q5-hot-items", Serdes.Double(), Json.objects()))
        .aggregate(
            () -> hotItems(0, 0, List.of()),
            (windowStart, auctionBids, hot) -> hottest(windowStart, auctionBids, hot),
            Materialized.<Double, ObjectNode, KeyValueStore<Bytes, byte[]>>as("q5-hot-items")
                .withKeySerde(Serdes.Double())
                .withValueSerde(Json.objects()))
        .toStream()
        .to(options.output(), Produced.with(Serdes.Double(), Json.objects()));
  }

  /** More bids than the window's best so far: a new best; as many: one more auction in it. */
  private static ObjectNode hottest(double windowStart, ObjectNode auctionBids, ObjectNode hot) {
    long auction = auctionBids.get("auction").asLong();
    long bids = auctionBids.get("bids").asLong();
    long best = hot.get("bids").asLong();
    if (bids > best) return hotItems(windowStart, bids, List.of(auction));
    if (bids < best) return hot;
    List<Long> auctions = new ArrayList<>();
    hot.get("auctions").forEach(node -> auctions.add(node.asLong()));
    auctions.add(auction);
    auctions.sort(null);
    return hotItems(windowStart, bids, auctions);
  }

  private static ObjectNode hotItems(double windowStart, long bids, List<Long> auctions) {
    ObjectNode hot = Json.object();
    hot.put("windowStart", (long) windowStart);
    hot.put("bids", bids);
    ArrayNode list = hot.putArray("auctions");
    auctions.forEach(list::add);
    return hot;
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.bids());
  }
}
