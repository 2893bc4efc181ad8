package dev.tributary.bench.kstreams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Nexmark q8, monitor new users (examples/nexmark/q8.ts): persons (keyed by id) joined with
 * auctions re-keyed by seller (through the repartition topic q8-auctions-by-seller) within 9,999 ms
 * either way, 60 s grace; pairs whose two times fall in the same 10-second window are kept, and one
 * result per person and 10-second tumbling window (60 s grace) is emitted once the window closes,
 * as {@code {id, name, windowStart}} keyed by the person id (a string).
 */
final class Q8 implements Query {
  static final long WINDOW_MS = 10_000;
  static final Duration GRACE = Duration.ofSeconds(60);

  @Override
  public void build(StreamsBuilder builder, Options options) {
    KStream<String, ObjectNode> persons = builder.stream(options.persons(), Consumed.with(Serdes.String(), Json.objects()));
    KStream<String, ObjectNode> sellers = builder.stream(options.auctions(), Consumed.with(Serdes.String(), Json.objects()))
        .selectKey((key, auction) -> auction.get("seller").asText())
        .repartition(Repartitioned.with(Serdes.String(), Json.objects()).withName("q8-auctions-by-seller"));
    persons
        .join(
            sellers,
            (person, auction) -> {
              ObjectNode pair = Json.object();
              pair.set("id", person.get("id"));
              pair.set("name", person.get("name"));
              pair.put("sameWindow", Math.floorDiv(person.get("dateTime").asLong(), WINDOW_MS) == Math.floorDiv(auction.get("dateTime").asLong(), WINDOW_MS));
              return pair;
            },
            JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(WINDOW_MS - 1), GRACE),
            StreamJoined.with(Serdes.String(), Json.objects(), Json.objects()).withName("q8-join").withStoreName("q8-join"))
        .filter((id, pair) -> pair.get("sameWindow").asBoolean())
        .groupByKey(Grouped.with(Serdes.String(), Json.objects()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), GRACE))
        .aggregate(
            () -> "",
            (id, pair, name) -> pair.get("name").asText(),
            Materialized.<String, String, WindowStore<Bytes, byte[]>>as("q8-new-users")
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.String()))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .map((window, name) -> {
          ObjectNode newUser = Json.object();
          newUser.put("id", Long.parseLong(window.key()));
          newUser.put("name", name == null ? "" : name);
          newUser.put("windowStart", window.window().start());
          return KeyValue.pair(window.key(), newUser);
        })
        .to(options.output(), Produced.with(Serdes.String(), Json.objects()));
  }

  @Override
  public List<String> inputs(Options options) {
    return List.of(options.persons(), options.auctions());
  }
}
