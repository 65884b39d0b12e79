package dev.imagebuilder.core.internal.wire;

import static dev.imagebuilder.core.internal.wire.WireKeys.*;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.api.TouchImageRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request as a wire-format object, keys always in the order of {@link WireKeys}. Lists are
 * always written (possibly empty); an absent trigger or target channel is left out. Series are
 * written the way each backend names them: codename for cloud and touch, version for OCI.
 */
final class RequestEncoder {
  private RequestEncoder() {}

  static Map<String, Object> encode(ImageRequest request) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(IMAGE_TYPE, request.imageType());
    if (request instanceof CloudImageRequest cloud) {
      out.put(IMAGE, cloud.image().toString());
      out.put(PPA_LIST, ppas(cloud.ppas()));
      out.put(PACKAGE_LIST, packages(cloud.packages()));
      out.put(SERIES, cloud.series().codenameOrVersion());
      // Written only when not the default, so that file requests stay readable by older readers.
      if (cloud.destination().isGlance()) {
        out.put(DESTINATION, cloud.destination().value());
      }
    } else if (request instanceof TouchImageRequest touch) {
      out.put(SYSTEM_IMAGE_SERVER, touch.systemImageServer().toString());
      out.put(SYSTEM_IMAGE_CHANNEL, touch.channel());
      out.put(DEVICES, touch.devices());
      out.put(PPA_LIST, ppas(touch.ppas()));
      out.put(PACKAGE_LIST, packages(touch.packages()));
      out.put(SERIES, touch.series().codenameOrVersion());
      putIfPresent(out, TARGET_CHANNEL, touch.targetChannel());
    } else if (request instanceof OciImageRequest oci) {
      out.put(IMAGES, oci.images());
      out.put(SERIES, oci.series().stream().map(Series::versionOrCodename).toList());
      out.put(ARCHITECTURES, oci.architectures().stream().map(Architecture::tag).toList());
      out.put(AUTO_RETRY_UPLOADS, oci.autoRetryUploads());
      promotion(out, oci.promotion());
    } else if (request instanceof OciPromotionRequest promo) {
      out.put(IMAGES, promo.images());
      out.put(SERIES, promo.series().stream().map(Series::versionOrCodename).toList());
      out.put(ARCHITECTURES, promo.architectures().stream().map(Architecture::tag).toList());
      promotion(out, promo.promotion());
    }
    putIfPresent(out, TRIGGER, request.trigger());
    return out;
  }

  private static void promotion(Map<String, Object> out, OciPromotion p) {
    if (p != null) {
      out.put(PROMOTE_FROM, p.from());
      out.put(PROMOTE_TO, p.to());
      out.put(PROMOTE_ALIASES, p.aliases());
    }
  }

  private static List<String> ppas(List<Ppa> ppas) {
    return ppas.stream().map(Ppa::reference).toList();
  }

  private static List<String> packages(List<PackageSpec> packages) {
    return packages.stream().map(PackageSpec::toString).toList();
  }

  private static void putIfPresent(Map<String, Object> out, String key, String value) {
    if (value != null) {
      out.put(key, value);
    }
  }
}
