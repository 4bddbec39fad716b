"""Small pages written to look like the real ones (markup trimmed to what matters), for the extractor.

They are not copies of any shop's page: each keeps the structure the shop is known to use — Mercado
Livre's ``andes-money-amount`` spans, Amazon's ``a-price``/``a-offscreen``, Magalu's JSON-LD plus
``data-testid`` prices, a Shopify theme's variant offers — plus the noise real pages carry (header cart
totals, related products, instalment offers) that must not be read as the price.
"""

MERCADO_LIVRE = """<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8">
<title>Air Fryer Mondial 4l Digital Preta | MercadoLivre</title>
<meta property="og:title" content="Air Fryer Mondial 4l Digital Preta"></head><body>
<header class="nav-header"><span class="nav-cart-price">R$ 0,00</span></header>
<div class="ui-pdp-container">
 <div class="ui-pdp-header"><span class="ui-pdp-subtitle">Novo  |  +1000 vendidos</span>
  <h1 class="ui-pdp-title">Air Fryer Mondial 4l Digital Preta</h1></div>
 <div class="ui-pdp-price">
  <s class="andes-money-amount ui-pdp-price__part ui-pdp-price__original-value andes-money-amount--previous"
     role="img" aria-label="Antes: 1499 reais"><span class="andes-money-amount__currency-symbol">R$</span><span
     class="andes-money-amount__fraction">1.499</span></s>
  <div class="ui-pdp-price__second-line">
   <span class="andes-money-amount ui-pdp-price__part andes-money-amount--cents-superscript" role="img"
     aria-label="1234 reais con 56 centavos"><span class="andes-money-amount__currency-symbol">R$</span><span
     class="andes-money-amount__fraction">1.234</span><span class="andes-money-amount__cents
     andes-money-amount__cents--superscript-36">56</span></span>
   <span class="andes-money-amount__discount">17% OFF</span></div>
  <div class="ui-pdp-price__subtitles"><p class="ui-pdp-color--GREEN">em <span>12x</span>
   <span class="andes-money-amount andes-money-amount--compact"><span class="andes-money-amount__currency-symbol">R$
   </span><span class="andes-money-amount__fraction">102</span><span class="andes-money-amount__cents">88</span></span>
   sem juros</p></div></div>
 <div class="ui-pdp-stock-information"><p class="ui-pdp-stock-information__title">Estoque disponível</p></div>
 <div class="ui-pdp-seller__header__title">Vendido por <span>MONDIAL STORE</span></div>
 <section class="ui-recommendations-carousel"><div class="ui-recommendations-card">
  <span class="andes-money-amount"><span class="andes-money-amount__fraction">389</span></span></div></section>
</div></body></html>"""

AMAZON = """<!DOCTYPE html><html lang="pt-br"><head><meta charset="utf-8">
<title>Amazon.com.br : Smartwatch Fit Série 8</title></head><body>
<div id="nav-cart-count-container"><span id="nav-cart-count">0</span></div>
<div id="centerCol"><h1 id="title"><span id="productTitle" class="a-size-large">
   Smartwatch Fit Série 8 Tela AMOLED 1,9" Preto   </span></h1>
 <div id="corePriceDisplay_desktop_feature_div">
  <span class="a-price aok-align-center reinventPricePriceToPayMargin priceToPay"><span class="a-offscreen">R$ 2.199,90
  </span><span aria-hidden="true"><span class="a-price-symbol">R$</span><span class="a-price-whole">2.199<span
  class="a-price-decimal">,</span></span><span class="a-price-fraction">90</span></span></span>
  <div class="a-section a-spacing-small aok-align-center"><span class="a-size-small aok-offscreen">De: R$ 2.599,00
  </span><span class="a-price a-text-price basisPrice" data-a-strike="true"><span class="a-offscreen">R$ 2.599,00</span>
  <span aria-hidden="true">R$ 2.599,00</span></span></div></div>
 <div id="installmentCalculator_feature_div">
  <span class="best-offer-name">em até 10x de R$ 219,99 sem juros</span></div>
</div>
<div id="rightCol"><div id="availability" class="a-section"><span class="a-size-medium a-color-success">
  Em estoque </span></div>
 <div id="merchantInfoFeature_feature_div"><span class="offer-display-feature-text-message">Amazon.com.br</span></div>
</div>
<div id="sims-consolidated-1_feature_div"><span class="a-price"><span class="a-offscreen">R$ 149,90</span></span></div>
</body></html>"""

MAGALU = """<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8">
<title>Cafeteira Italiana 6 Xícaras - Magazine Luiza</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
 "name":"Cafeteira Italiana 6 Xícaras Alumínio","sku":"237788900","brand":{"@type":"Brand","name":"Casa"},
 "offers":{"@type":"Offer","price":1234.56,"priceCurrency":"BRL","availability":"https://schema.org/InStock",
 "url":"https://www.magazineluiza.com.br/cafeteira/p/237788900/","seller":{"@type":"Organization","name":"Magalu"}}}
</script></head><body>
<h1 data-testid="heading-product-title">Cafeteira Italiana 6 Xícaras Alumínio</h1>
<div data-testid="price-default"><p data-testid="price-original">R$ 1.399,00</p>
 <p data-testid="price-value">R$ 1.234,56</p>
 <p data-testid="installment">ou 10x de R$ 123,46 sem juros</p></div>
</body></html>"""

SHOPIFY = """<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8"><title>Tapete de Yoga – Loja Zen</title>
<meta property="og:type" content="product"><meta property="og:title" content="Tapete de Yoga Antiderrapante">
<meta property="og:price:amount" content="149,90"><meta property="og:price:currency" content="BRL">
<script type="application/ld+json">
{"@context": "http://schema.org/", "@type": "Product", "name": "Tapete de Yoga Antiderrapante",
 "url": "https://lojazen.com.br/products/tapete-de-yoga",
 "offers": [
  {"@type": "Offer", "sku": "TY-AZUL", "availability": "http://schema.org/InStock", "price": "149.90",
   "priceCurrency": "BRL", "url": "https://lojazen.com.br/products/tapete-de-yoga?variant=1"},
  {"@type": "Offer", "sku": "TY-ROSA", "availability": "http://schema.org/OutOfStock", "price": "129.90",
   "priceCurrency": "BRL", "url": "https://lojazen.com.br/products/tapete-de-yoga?variant=2"},
  {"@type": "Offer", "sku": "TY-PRETO", "availability": "http://schema.org/InStock", "price": "159.90",
   "priceCurrency": "BRL", "url": "https://lojazen.com.br/products/tapete-de-yoga?variant=3"}
 ]}
</script></head><body>
<div class="cart-count-bubble">2 itens - R$ 299,80</div>
<h1 class="product__title">Tapete de Yoga Antiderrapante</h1>
<div class="price price--on-sale"><div class="price__sale"><s class="price-item price-item--regular">R$ 199,90</s>
 <span class="price-item price-item--sale price-item--last">R$ 149,90</span></div></div>
</body></html>"""

BROKEN_JSONLD = """<html><head>
<script type="application/ld+json"><!-- {"@type": "Product", "name": "Caixa de Som",
 "offers": {"@type": "Offer", "price": "1.234,56", "priceCurrency": "BRL",},} --></script></head>
<body><h1>Caixa de Som</h1></body></html>"""

RDFA = """<html><head><title>Garrafa Térmica</title></head><body>
<div vocab="https://schema.org/" typeof="Product"><h1 property="name">Garrafa Térmica Inox 1L</h1>
 <div property="offers" typeof="Offer"><meta property="priceCurrency" content="BRL">
  <span property="price" content="89.90">R$ 89,90</span>
  <link property="availability" href="https://schema.org/OutOfStock">Esgotado</div></div></body></html>"""

JSONLD_ITEM_LIST = """<html><head><script type="application/ld+json">{"@context":"https://schema.org",
 "@type":"ItemList","itemListElement":[
  {"@type":"ListItem","position":1,"item":{"@type":"Product","name":"Fone A","offers":{"price":"99.90"}}},
  {"@type":"ListItem","position":2,"item":{"@type":"Product","name":"Fone B","offers":{"price":"149.90"}}}]}
</script></head><body><h1>Fones de ouvido</h1></body></html>"""

NO_PRICE = """<html><body><header><span class="cart-total">R$ 0,00</span></header><h1>Mentoria VIP</h1>
<p>Preço sob consulta. Chame no WhatsApp.</p><footer>Frete grátis acima de R$ 199,00</footer></body></html>"""
