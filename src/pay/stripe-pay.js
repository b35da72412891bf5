// Stripe's payment fields in the checkout sheet: loaded by src/pay/mod.rs
// only when a checkout opens on a shop that takes payments with Stripe (never
// in the overlay's bundle), it loads Stripe.js from the address the server
// names, then mounts Stripe's Express Checkout Element (Apple Pay, Google Pay,
// Link: one row of buttons) and its Payment Element. Card numbers live in
// Stripe's iframes only (PCI DSS SAQ A): what comes back to the overlay is a
// ConfirmationToken id, which checkout sends to our server.
//
// The overlay calls `window.VetrinaPay.mount(options)`; its handle has
// `token(billing)` (a ConfirmationToken for the entered details),
// `authenticate(clientSecret)` (3-D Secure, in Stripe's own modal),
// `update(amountMinor)` and `destroy()`. Only this surface of Stripe.js is
// used: `Stripe(pk, {locale})`, `elements({mode, amount, currency, appearance})`,
// `elements.create('payment' | 'expressCheckout')`, `element.mount/on/destroy`,
// `elements.submit/update`, `stripe.createConfirmationToken`,
// `stripe.handleNextAction` (tests/stripe-standin/stripe.js stands in for it offline).
(() => {
  let loading = null;

  function loadStripe(url) {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    loading =
      loading ||
      new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = url;
        s.onload = () => (window.Stripe ? resolve(window.Stripe) : reject(new Error('Stripe.js did not start')));
        s.onerror = () => {
          loading = null;
          s.remove();
          reject(new Error('Stripe.js could not be loaded'));
        };
        document.head.append(s);
      });
    return loading;
  }

  const fail = (error) => {
    throw new Error((error && error.message) || 'The payment could not be prepared.');
  };

  async function mount(o) {
    const Stripe = await loadStripe(o.jsUrl);
    const stripe = Stripe(o.publishableKey, { locale: o.locale || 'auto' });
    const css = getComputedStyle(document.documentElement);
    const token = (name, fallback) => css.getPropertyValue('--vt-' + name).trim() || fallback;
    const elements = stripe.elements({
      mode: 'payment',
      amount: o.amount,
      currency: o.currency.toLowerCase(),
      // The sheet's own look: its theme tokens (style/vetrina.css, a brand's theme).
      appearance: {
        theme: 'stripe',
        variables: {
          colorPrimary: token('accent', '#111111'),
          colorBackground: token('surface', '#ffffff'),
          colorText: token('text', '#111111'),
          colorDanger: token('sale', '#c8281e'),
          borderRadius: '10px',
          fontSizeBase: '16px',
        },
      },
    });
    const payment = elements.create('payment', { layout: 'tabs', fields: { billingDetails: { name: 'never', email: 'never' } } });
    payment.mount(o.paymentSelector);
    let express = null;
    if (o.expressSelector) {
      express = elements.create('expressCheckout', {
        emailRequired: true,
        shippingAddressRequired: true,
        allowedShippingCountries: o.countries,
        shippingRates: [{ id: 'standard', displayName: o.shippingLabel, amount: o.shippingMinor }],
        buttonHeight: 48,
      });
      express.mount(o.expressSelector);
      express.on('ready', (e) => o.onExpressReady(!!(e && e.availablePaymentMethods)));
      express.on('confirm', async (e) => {
        try {
          const submitted = await elements.submit();
          if (submitted.error) fail(submitted.error);
          const made = await stripe.createConfirmationToken({ elements });
          if (made.error) fail(made.error);
          const s = e.shippingAddress || {};
          const a = s.address || {};
          const b = e.billingDetails || {};
          o.onExpress(made.confirmationToken.id, {
            name: s.name || b.name || '',
            email: b.email || '',
            line1: a.line1 || '',
            line2: a.line2 || '',
            city: a.city || '',
            postal_code: a.postal_code || '',
            country: a.country || '',
          });
        } catch (err) {
          o.onExpressError(String(err.message || err));
        }
      });
    }
    let complete = false;
    payment.on('change', (e) => (complete = !!e.complete));
    payment.on('ready', () => o.onReady());
    return {
      async token(billing) {
        const submitted = await elements.submit();
        if (submitted.error) fail(submitted.error);
        const made = await stripe.createConfirmationToken({
          elements,
          params: {
            payment_method_data: {
              billing_details: {
                name: billing.name,
                email: billing.email,
                address: {
                  line1: billing.line1,
                  line2: billing.line2 || null,
                  city: billing.city,
                  postal_code: billing.postal_code,
                  country: billing.country,
                },
              },
            },
          },
        });
        if (made.error) fail(made.error);
        return made.confirmationToken.id;
      },
      async authenticate(clientSecret) {
        const done = await stripe.handleNextAction({ clientSecret });
        if (done.error) fail(done.error);
        return done.paymentIntent ? done.paymentIntent.status : '';
      },
      update(amount) {
        elements.update({ amount });
      },
      complete: () => complete,
      destroy() {
        payment.destroy();
        if (express) express.destroy();
      },
    };
  }

  window.VetrinaPay = { mount };
})();
